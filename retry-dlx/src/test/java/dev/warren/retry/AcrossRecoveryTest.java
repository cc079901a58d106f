package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.testing.ManagementApi;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskResult;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A task that is running when the worker's connection is lost and recovered: the broker puts it
 * back on the queue, so the run that finishes on the stale delivery must not answer or count,
 * and the redelivery must not be charged as a failed attempt. The message comes without a
 * {@code message_id}, as a plain pika producer sends it: its id must be the same in both runs.
 */
class AcrossRecoveryTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** Every run of {@code hold}: its context; the first run waits for {@link #release}. */
    @Singleton
    static final class Runs {
        final List<TaskContext> contexts = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
    }

    static final class Tasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("hold", JsonNode.class, Hold.class);
        }
    }

    static final class Hold implements TaskHandler<JsonNode, String> {
        private final Runs runs;

        @jakarta.inject.Inject
        Hold(Runs runs) {
            this.runs = runs;
        }

        @Override
        public String handle(JsonNode payload, TaskContext context) throws InterruptedException {
            runs.contexts.add(context);
            if (runs.contexts.size() == 1) {
                // The first run outlives its delivery, as a slow call to another system would.
                runs.release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            return "run " + runs.contexts.size();
        }
    }

    @Test
    void aTaskRunningAcrossARecoveryIsAnsweredOnceAndNotChargedAnAttempt() throws Exception {
        ManagementApi management = broker.management().orElseThrow(
                () -> new AssertionError("this test closes a connection through the management API"));
        String queue = queues.unique("across-recovery");
        RetrySettings retry = RetrySettings.custom().maxAttempts(3).delays("200ms").build();
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, retry, new Tasks()).start();
             Connection connection = broker.connect("across-recovery-test");
             Channel channel = connection.createChannel()) {
            String replies = channel.queueDeclare("", false, true, true, null).getQueue();
            // As pika sends it: no message_id, no type property; reply_to and correlation_id only.
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2)
                            .replyTo(replies).correlationId("rpc-1").build(),
                    "{\"task_type\": \"hold\"}".getBytes(StandardCharsets.UTF_8));
            Runs runs = warren.get(Runs.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.contexts.size() == 1);

            closeConsumingConnection(management, warren.connectionName());

            await("the redelivery's run").atMost(Duration.ofSeconds(30)).until(() -> runs.contexts.size() == 2);
            TaskContext first = runs.contexts.get(0);
            TaskContext second = runs.contexts.get(1);
            assertThat(second.redelivered()).isTrue();
            assertThat(second.messageId()).as("the idempotency key of a message without message_id")
                    .isEqualTo(first.messageId());
            assertThat(second.attempt()).as("attempt of the redelivery: not charged").isEqualTo(1);
            GetResponse answer = await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.basicGet(replies, true), r -> r != null);
            TaskResult result = CoreModule.newObjectMapper().readValue(answer.getBody(), TaskResult.class);
            assertThat(answer.getProps().getCorrelationId()).isEqualTo("rpc-1");
            assertThat(result.status()).isEqualTo(TaskResult.SUCCEEDED);
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.taskId()).isEqualTo(first.messageId());

            runs.release.countDown();
            await("the stale run ends").atMost(Duration.ofSeconds(10))
                    .until(() -> warren.worker().stats().abandoned() == 1 && warren.worker().tasksInFlight() == 0);
            // A reply is confirmed before the run ends, so a second answer would be there by now.
            assertThat(channel.basicGet(replies, true)).as("a second answer, from the stale run").isNull();
            assertThat(warren.worker().stats().count(TaskOutcome.SUCCEEDED)).isEqualTo(1);
            assertThat(warren.worker().stats().count(TaskOutcome.RETRIED)).isZero();
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
            assertThat(warren.deadLetters().size(queue)).isZero();
        }
    }

    /** Closes the worker's consuming connection (named exactly so), not its publishing one. */
    private static void closeConsumingConnection(ManagementApi management, String name) {
        JsonNode consuming = await().atMost(Duration.ofSeconds(10)).until(() -> management.connections().stream()
                .filter(c -> name.equals(c.path("client_properties").path("connection_name").asText()))
                .findFirst().orElse(null), c -> c != null);
        management.closeConnection(consuming.path("name").asText());
    }
}
