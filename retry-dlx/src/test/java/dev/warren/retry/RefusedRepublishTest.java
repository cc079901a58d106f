package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.multibindings.Multibinder;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When the broker refuses the republish to a retry queue, the worker must not acknowledge the
 * original: the task stays in the work queue and carries on once the broker accepts again.
 * Runs on a private node, because it sets a broker policy.
 */
class RefusedRepublishTest {

    /** Counts deliveries that went back to the queue because their failure could not be moved on. */
    @Singleton
    static final class Requeues implements TaskListener {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void taskFinished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
            if (outcome == null) {
                count.incrementAndGet();
            }
        }
    }

    @Test
    void aTaskWhoseRetryIsRefusedIsRedeliveredNotLost() throws Exception {
        try (PrivateRabbitNode node = PrivateRabbitNode.builder().management(false).build()) {
            node.start();
            String queue = TestQueues.unique("refused");
            // Every retry queue of this work queue refuses new messages: publishes to it are nacked.
            node.rabbitmqctl("set_policy", "refuse-retries", "^" + queue + "[.]retry[.]",
                    "{\"max-length\":0,\"overflow\":\"reject-publish\"}", "--apply-to", "queues");
            RetrySettings settings = RetrySettings.custom().maxAttempts(2).delays("200ms").build();
            com.google.inject.Module listener = binder ->
                    Multibinder.newSetBinder(binder, TaskListener.class).addBinding().to(Requeues.class);
            try (RetryHarness warren = new RetryHarness(node.amqpUri(), queue, settings, new FlakyTasks(), listener).start()) {
                OutgoingTask task = OutgoingTask.of("always_fails", CoreModule.newObjectMapper().createObjectNode());
                warren.publisher().publish(task).get(5, TimeUnit.SECONDS);

                Requeues requeues = warren.get(Requeues.class);
                await().atMost(Duration.ofSeconds(20)).until(() -> requeues.count.get() >= 2);
                assertThat(warren.deadLetters().size(queue)).isZero();
                assertThat(warren.worker().stats().count(TaskOutcome.RETRIED)).isZero();

                node.rabbitmqctl("clear_policy", "refuse-retries");

                await().atMost(Duration.ofSeconds(20)).until(() -> warren.deadLetters().size(queue) == 1);
                assertThat(warren.deadLetters().list(queue, l -> true, 10)).singleElement()
                        .satisfies(letter -> assertThat(letter.messageId()).isEqualTo(task.id()));
                await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
                assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
            }
        }
    }
}
