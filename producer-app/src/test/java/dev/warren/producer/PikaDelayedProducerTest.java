package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.testing.PikaScript;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delayed task published by plain pika following docs/scheduling.md's routing convention
 * ({@code worker-app/src/test/resources/interop/pika_delayed_producer.py}) arrives at its work queue,
 * not before its {@code x-warren-due-at}.
 */
class PikaDelayedProducerTest {

    private static final Path PRODUCER = Path.of("..", "worker-app", "src", "test", "resources", "interop",
            "pika_delayed_producer.py");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aDelayedTaskFromAPikaProducerArrivesNoEarlierThanDue() throws Exception {
        String queue = queues.unique("pika-delayed");
        try (Connection connection = broker.connect("warren-test-pika-delayed");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            DelayTopology.declare(channel);
            DelayTopology.bind(channel, queue);

            String id = PikaScript.run(directory, PRODUCER, SCRIPT_TIMEOUT,
                    "--uri", broker.amqpUri(), "--queue", queue, "--delay", "3").strip();

            await().atMost(Duration.ofSeconds(20)).until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 1);
            Instant arrived = Instant.now();
            GetResponse task = channel.basicGet(queue, true);
            Instant due = Instant.parse(task.getProps().getHeaders().get("x-warren-due-at").toString());
            assertThat(arrived).isAfterOrEqualTo(due);
            assertThat(task.getProps().getMessageId()).isEqualTo(id);
            assertThat(task.getEnvelope().getExchange()).isEqualTo(DelayTopology.DELIVER);
        }
    }
}
