package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In-process retries run inside one delivery, which the broker gives its consumer_timeout in all:
 * a type whose time limit is below the timeout, but not its runs together, is refused at start.
 */
class InProcessRetryTimeLimitTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    /** A type with a time limit of 12 minutes. */
    static final class Reports extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("report", JsonNode.class, Report.class, TaskOptions.timeLimit(Duration.ofMinutes(12)));
        }
    }

    static final class Report implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            return null;
        }
    }

    @Test
    void eachInProcessRetryAddsARunAndAWait() {
        RetrySettings two = RetrySettings.custom().inProcess(2, Duration.ofMillis(100)).build();
        InProcessRetry retry = new InProcessRetry(RetryPolicies.of(two, Map.of()));

        assertThat(retry.longestRun("report", Duration.ofMinutes(12))).isEqualTo(Duration.ofMinutes(36).plusMillis(200));
        assertThat(new InProcessRetry(RetryPolicies.of(RetrySettings.DEFAULTS, Map.of()))
                .longestRun("report", Duration.ofMinutes(12))).isEqualTo(Duration.ofMinutes(12));
    }

    @Test
    void twoInProcessRetriesOfATwelveMinuteLimitAreRefusedUnderAThirtyMinuteConsumerTimeout() {
        String queue = queues.unique("in-process-limit");
        var settings = WorkerSettings.of(queue).withBrokerConsumerTimeout(Duration.ofMinutes(30));
        var retries = new RetryDlxModule(RetrySettings.custom().inProcess(2, Duration.ofMillis(100)).build(),
                WorkQueueType.classic());
        try (WarrenHarness warren = new WarrenHarness(RabbitBroker.shared().amqpUri(), settings, "in-process-limit",
                new Reports(), retries)) {
            assertThatThrownBy(() -> warren.worker().start())
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("time limit of task type 'report' (12m), with the in-process retries of one"
                            + " delivery (--retry-in-process) up to 36m0.2s in all, must be below the broker's"
                            + " consumer_timeout (30m) stated by --broker-consumer-timeout");
        }
    }
}
