package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.CoreModule;
import dev.warren.core.task.TaskTimeLimitExceeded;
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
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A handler that ignores the interruption at its time limit keeps running after its attempt has
 * failed. Such an overdue run must stay visible: counted, in the in-flight count, logged.
 */
class OverdueRunsTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** Lets the stubborn handler return. */
    @Singleton
    static final class Gate {
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
    }

    static final class Tasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("stubborn", JsonNode.class, Stubborn.class, TaskOptions.timeLimit(Duration.ofMillis(200)));
        }
    }

    /** Swallows every interruption until the gate opens, as blocking I/O without timeouts would. */
    static final class Stubborn implements TaskHandler<JsonNode, Void> {
        private final Gate gate;

        @jakarta.inject.Inject
        Stubborn(Gate gate) {
            this.gate = gate;
        }

        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            gate.entered.countDown();
            while (true) {
                try {
                    if (gate.open.await(60, TimeUnit.SECONDS)) {
                        return null;
                    }
                } catch (InterruptedException ignored) {
                    // the bad habit under test
                }
            }
        }
    }

    @Test
    void aRunThatIgnoresItsTimeLimitIsCountedAsOverdueAndInFlightUntilItEnds() throws Exception {
        String queue = queues.unique("overdue");
        try (LogCapture logs = LogCapture.of("dev.warren");
             WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new Tasks()).start()) {
            warren.publisher().publish(OutgoingTask.of("stubborn", CoreModule.newObjectMapper().createObjectNode()))
                    .get(5, TimeUnit.SECONDS);
            Gate gate = warren.get(Gate.class);

            // Core's default policy dead-letters the failed attempt; the handler still runs.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> warren.worker().stats().count(TaskOutcome.DEAD_LETTERED) == 1);
            assertThat(warren.worker().overdueRuns()).isEqualTo(1);
            assertThat(warren.worker().tasksInFlight()).as("the overdue run is still in flight").isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.text().contains("ignores interruption"));
            assertThat(logs.text()).contains(TaskTimeLimitExceeded.class.getSimpleName()).contains("stubborn");

            gate.open.countDown();

            // The run's end is counted before it is logged and before it leaves the in-flight count.
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.worker().overdueRuns() == 0
                    && warren.worker().tasksInFlight() == 0 && logs.text().contains("overdue run of task"));
        }
    }
}
