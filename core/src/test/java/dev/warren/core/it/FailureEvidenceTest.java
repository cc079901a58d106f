package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.consume.TaskLogContext;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failure leaves its evidence: the stack trace, logged once at the final failure and carried
 * (cut to fit a frame) by the dead-letter copy; and every line a task's run logs names the task.
 */
class FailureEvidenceTest {

    private static final Logger handlerLog = LoggerFactory.getLogger("com.example.tasks");

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    static final class Tasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("deep_failure", JsonNode.class, DeepFailure.class);
            bindTask("talks", JsonNode.class, Talks.class);
            bindTask("talks_limited", JsonNode.class, Talks.class, TaskOptions.timeLimit(Duration.ofSeconds(20)));
        }
    }

    /** Fails deep in a recursion, with a cause, so its stack trace is far longer than a header may be. */
    static final class DeepFailure implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            return recurse(400);
        }

        private static Void recurse(int depth) {
            if (depth == 0) {
                throw new IllegalStateException("ledger out of balance",
                        new java.io.IOException("disk said no"));
            }
            return recurse(depth - 1);
        }
    }

    static final class Talks implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            handlerLog.warn("working on {}", context.taskType());
            return null;
        }
    }

    private static OutgoingTask task(String type, String id) {
        return OutgoingTask.of(type, CoreModule.newObjectMapper().createObjectNode()).withId(id);
    }

    @Test
    void theDeadLetterCopyCarriesTheStackTraceCutToFitAndTheLogShowsItOnce() throws Exception {
        String queue = queues.unique("stack-trace");
        try (LogCapture logs = LogCapture.of("dev.warren");
             WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new Tasks()).start();
             Connection connection = broker.connect("stack-trace-test");
             Channel channel = connection.createChannel()) {
            warren.publisher().publish(task("deep_failure", "deep-1")).get(5, TimeUnit.SECONDS);

            GetResponse dead = await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.basicGet(queue + ".dlq", true), r -> r != null);

            String trace = String.valueOf(dead.getProps().getHeaders().get(TaskHeaders.STACK_TRACE));
            assertThat(trace).startsWith("java.lang.IllegalStateException: ledger out of balance")
                    .contains("at " + DeepFailure.class.getName() + ".recurse(")
                    .endsWith("bytes in all)");
            assertThat(trace.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(TaskHeaders.MAX_STACK_TRACE_BYTES);
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(logs.lines()).filteredOn(line -> line.contains("deep-1"))
                    .filteredOn(line -> line.contains("at " + DeepFailure.class.getName()))
                    .as("log lines with the stack trace").singleElement()
                    .satisfies(line -> assertThat(line).startsWith("WARN").contains("dead-lettered")
                            .contains("Caused by: java.io.IOException: disk said no"));
        }
    }

    @Test
    void everyLineATaskLogsCarriesItsIdAndTypeAlsoOnTimeLimitedThreads() throws Exception {
        String queue = queues.unique("task-mdc");
        try (LogCapture logs = LogCapture.of("com.example.tasks");
             WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new Tasks()).start()) {
            warren.publisher().publish(task("talks", "plain-1")).get(5, TimeUnit.SECONDS);
            warren.publisher().publish(task("talks_limited", "limited-1")).get(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> warren.worker().stats().count(TaskOutcome.SUCCEEDED) == 2);
            assertThat(logs.lines()).containsExactlyInAnyOrder(
                    "WARN com.example.tasks - working on talks {" + TaskLogContext.MESSAGE_ID + "=plain-1, "
                            + TaskLogContext.TASK_TYPE + "=talks}",
                    "WARN com.example.tasks - working on talks_limited {" + TaskLogContext.MESSAGE_ID + "=limited-1, "
                            + TaskLogContext.TASK_TYPE + "=talks_limited}");
        }
    }
}
