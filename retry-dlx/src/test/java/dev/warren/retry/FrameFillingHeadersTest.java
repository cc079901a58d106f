package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.FrameFillingHeaders;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A retryable failure of a task whose own headers leave no room in the frame for Warren's: no
 * retry copy can ever be sent, so it is parked in the DLQ without its own headers at once,
 * instead of going back to the work queue and failing the same way forever.
 */
class FrameFillingHeadersTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aRetryThatCannotBeEncodedIsDeadLetteredWithoutTheTasksOwnHeaders() throws Exception {
        String queue = queues.unique("frame-filling-retry");
        RetrySettings settings = RetrySettings.custom().maxAttempts(3).delays("100ms").build();
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, settings, new FlakyTasks()).start();
             Connection connection = broker.connect("frame-filling-retry-test");
             Channel channel = connection.createChannel()) {
            String body = "{\"task_type\": \"always_fails\"}";
            channel.basicPublish("", queue, FrameFillingHeaders.properties("big-retry", connection.getFrameMax()),
                    body.getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(15)).until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1);
            GetResponse dead = channel.basicGet(queue + ".dlq", true);

            assertThat(dead.getProps().getMessageId()).isEqualTo("big-retry");
            assertThat(dead.getProps().getHeaders()).doesNotContainKey(FrameFillingHeaders.HEADER)
                    .containsEntry(TaskHeaders.HEADERS_DROPPED, 1)
                    .containsEntry(TaskHeaders.ATTEMPT, 1);
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
            assertThat(warren.worker().stats().count(TaskOutcome.RETRIED)).isZero();
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
        }
    }
}
