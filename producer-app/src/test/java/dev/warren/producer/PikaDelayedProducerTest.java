package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delayed task published by plain pika following docs/scheduling.md's routing convention
 * ({@code worker-app/src/test/resources/interop/pika_delayed_producer.py}) arrives at its work queue,
 * not before its {@code x-warren-due-at}.
 */
class PikaDelayedProducerTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path PRODUCER = Path.of("..", "worker-app", "src", "test", "resources", "interop",
            "pika_delayed_producer.py");

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aDelayedTaskFromAPikaProducerArrivesNoEarlierThanDue() throws Exception {
        assertThat(PYTHON).as("the interop tests need /usr/bin/python3 with pika (apt-get install python3-pika)")
                .isExecutable();
        assertThat(PRODUCER).as("the pika producer script, relative to %s", Path.of("").toAbsolutePath()).exists();
        String queue = queues.unique("pika-delayed");
        try (Connection connection = broker.connect("warren-test-pika-delayed");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            DelayTopology.declare(channel);
            DelayTopology.bind(channel, queue);

            Path stdout = directory.resolve("producer.out");
            Path stderr = directory.resolve("producer.err");
            Process producer = new ProcessBuilder(List.of(PYTHON.toString(), "-u", PRODUCER.toString(),
                    "--uri", broker.amqpUri(), "--queue", queue, "--delay", "3"))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            assertThat(producer.waitFor(20, TimeUnit.SECONDS)).as("the pika producer finished").isTrue();
            assertThat(producer.exitValue()).as("pika producer exit; stderr: %s", Files.readString(stderr)).isZero();
            String id = Files.readString(stdout).strip();

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
