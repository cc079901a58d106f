package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.spi.InvalidPayloadException;
import dev.warren.core.task.TaskExpiredException;
import dev.warren.core.spi.UnknownTaskTypeException;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskOptions;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.MalformedTaskException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retry ladder and dead-lettering against the shared broker, with short delays. */
class RetryLadderTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private static final RetrySettings SHORT = RetrySettings.custom().maxAttempts(4).delays("200ms,400ms").build();

    private OutgoingTask task(String type, Map<String, Object> fields) {
        return OutgoingTask.of(type, mapper.valueToTree(fields));
    }

    @Test
    void aTaskThatAlwaysFailsIsAttemptedMaxAttemptsTimesAtTheLaddersPaceThenDeadLettered() throws Exception {
        String queue = queues.unique("ladder");
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks()).start()) {
            OutgoingTask task = task("always_fails", Map.of());
            warren.publisher().publish(task).get(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(15)).until(() -> warren.deadLetters().size(queue) == 1);

            FlakyTasks.Runs runs = warren.get(FlakyTasks.Runs.class);
            List<FlakyTasks.Run> attempts = runs.of(task.id());
            assertThat(attempts).extracting(FlakyTasks.Run::attempt).containsExactly(1, 2, 3, 4);
            // The ladder's rungs: each retry waited in the retry queue of its delay.
            assertThat(attempts).extracting(FlakyTasks.Run::cameFrom)
                    .containsExactly(null, queue + ".retry.200ms", queue + ".retry.400ms", queue + ".retry.400ms");
            List<Long> gaps = FlakyTasks.gapsMillis(attempts);
            System.out.printf("ladder 200ms,400ms,400ms -> measured gaps %s ms%n", gaps);
            long[] ladder = {200, 400, 400};
            for (int i = 0; i < ladder.length; i++) {
                // Never early (the broker holds it for the TTL); how late depends on the machine's load,
                // so it is printed above, not asserted.
                assertThat(gaps.get(i)).as("gap after attempt %d", i + 1).isGreaterThanOrEqualTo(ladder[i] - 5);
            }
            DeadLetter letter = warren.deadLetters().list(queue, l -> true, 10).get(0);
            assertThat(letter.messageId()).isEqualTo(task.id());
            assertThat(letter.attempts()).isEqualTo(4);
            assertThat(letter.error()).isEqualTo(IllegalStateException.class.getName());
            assertThat(letter.errorMessage()).isEqualTo("always fails (attempt 4)");
            assertThat(letter.sourceQueue()).isEqualTo(queue);
            assertThat(letter.failedAt()).isNotBlank();
            assertThat(warren.worker().stats().count(TaskOutcome.RETRIED)).isEqualTo(3);
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
        }
    }

    @Test
    void aTaskThatFailsTwiceSucceedsOnTheThirdAttemptAndNeverReachesTheDlq() throws Exception {
        String queue = queues.unique("third");
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks()).start()) {
            var result = warren.publisher().request(task("fails_first", Map.of("times", 2))).get(15, TimeUnit.SECONDS);
            assertThat(result.succeeded()).isTrue();
            assertThat(result.attempts()).isEqualTo(3);
            assertThat(result.result().get("attempt").asInt()).isEqualTo(3);
            assertThat(warren.deadLetters().size(queue)).isZero();
        }
    }

    @Test
    void aMessageWaitingOutALongDelayDoesNotHoldBackOneOnAShortDelay() throws Exception {
        String queue = queues.unique("nohol");
        Map<String, TaskOptions> perType = Map.of(
                "slow", TaskOptions.builder().maxAttempts(2).retryDelays("3s").build(),
                "quick", TaskOptions.builder().maxAttempts(2).retryDelays("200ms").build());
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks(perType)).start()) {
            OutgoingTask slow = task("slow", Map.of("times", 1));
            OutgoingTask quick = task("quick", Map.of("times", 1));
            warren.publisher().publish(slow).get(5, TimeUnit.SECONDS);
            FlakyTasks.Runs runs = warren.get(FlakyTasks.Runs.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.of(slow.id()).size() == 1);
            warren.publisher().publish(quick).get(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).until(() -> runs.of(slow.id()).size() == 2 && runs.of(quick.id()).size() == 2);

            List<Long> quickGaps = FlakyTasks.gapsMillis(runs.of(quick.id()));
            List<Long> slowGaps = FlakyTasks.gapsMillis(runs.of(slow.id()));
            System.out.printf("quick (200ms) gap %s ms, slow (3s) gap %s ms%n", quickGaps, slowGaps);
            // Each waits out its own delay, never less; the quick one, published later, runs again first.
            assertThat(quickGaps.get(0)).isGreaterThanOrEqualTo(195L);
            assertThat(slowGaps.get(0)).isGreaterThanOrEqualTo(2995L);
            assertThat(runs.of(quick.id()).get(1).nanos()).isLessThan(runs.of(slow.id()).get(1).nanos());
        }
    }

    @Test
    void maxAttemptsAndDelaysGivenAtRegistrationDriveTheLadderOfThatTypeOnly() throws Exception {
        String queue = queues.unique("pertype");
        Map<String, TaskOptions> perType = Map.of("record", TaskOptions.builder().maxAttempts(2).retryDelays("100ms").build());
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks(perType)).start()) {
            OutgoingTask own = task("record", Map.of("times", 9));
            OutgoingTask defaults = task("fails_first", Map.of("times", 9));
            warren.publisher().publish(own).get(5, TimeUnit.SECONDS);
            warren.publisher().publish(defaults).get(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(15)).until(() -> warren.deadLetters().size(queue) == 2);

            FlakyTasks.Runs runs = warren.get(FlakyTasks.Runs.class);
            assertThat(runs.of(own.id())).extracting(FlakyTasks.Run::attempt).containsExactly(1, 2);
            assertThat(runs.of(defaults.id())).extracting(FlakyTasks.Run::attempt).containsExactly(1, 2, 3, 4);
            // The type's own delay has its own retry queue, declared next to the defaults' ones.
            assertThat(FlakyTasks.gapsMillis(runs.of(own.id())).get(0)).isGreaterThanOrEqualTo(95L);
            try (Connection connection = broker.connect("pertype-test"); Channel channel = connection.createChannel()) {
                channel.queueDeclarePassive(queue + ".retry.100ms");
            }
        }
    }

    @Test
    void nonRetryableExceptionsGivenAtRegistrationGoStraightToTheDlqForThatTypeOnly() throws Exception {
        String queue = queues.unique("pertypenr");
        Map<String, TaskOptions> perType = Map.of("wrong_argument",
                TaskOptions.builder().nonRetryable(IllegalArgumentException.class).build());
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks(perType)).start()) {
            OutgoingTask own = task("wrong_argument", Map.of());
            OutgoingTask other = task("wrong_argument_too", Map.of());
            warren.publisher().publish(own).get(5, TimeUnit.SECONDS);
            warren.publisher().publish(other).get(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(15)).until(() -> warren.deadLetters().size(queue) == 2);

            FlakyTasks.Runs runs = warren.get(FlakyTasks.Runs.class);
            assertThat(runs.of(own.id())).hasSize(1);
            assertThat(runs.of(other.id())).hasSize(4);
            assertThat(warren.deadLetters().list(queue, l -> l.messageId().equals(own.id()), 10))
                    .singleElement().satisfies(l -> {
                        assertThat(l.attempts()).isEqualTo(1);
                        assertThat(l.error()).isEqualTo(IllegalArgumentException.class.getName());
                    });
        }
    }

    @Test
    void aTaskRetriedPastItsMaxAgeIsDeadLetteredAsExpiredInsteadOfRunningAgain() throws Exception {
        String queue = queues.unique("maxage");
        // Age counts from the first publish: the retry copies keep its timestamp (whole seconds, so a
        // task may expire up to a second early: 2s here so that the first run is always young enough).
        Map<String, TaskOptions> perType = Map.of("always_fails", TaskOptions.builder()
                .maxAttempts(1000).retryDelays("300ms").maxAge(Duration.ofSeconds(2)).build());
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks(perType)).start()) {
            OutgoingTask task = task("always_fails", Map.of());
            warren.publisher().publish(task).get(5, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(15)).until(() -> warren.deadLetters().size(queue) == 1);

            DeadLetter letter = warren.deadLetters().list(queue, l -> true, 10).get(0);
            assertThat(letter.messageId()).isEqualTo(task.id());
            assertThat(letter.error()).isEqualTo(TaskExpiredException.class.getName());
            assertThat(letter.errorMessage()).startsWith("expired: task " + task.id() + " (always_fails)")
                    .endsWith("over its max age of 2s");
            List<FlakyTasks.Run> runs = warren.get(FlakyTasks.Runs.class).of(task.id());
            System.out.printf("ran %d times within its max age of 2s%n", runs.size());
            // Retries 300 ms apart fit at most 7 runs into 2 s; the delivery after the last run did not run.
            assertThat(runs.size()).isBetween(1, 7);
            assertThat(letter.attempts()).isEqualTo(runs.size() + 1);
        }
    }

    @Test
    void inProcessRetriesRunWithinOneAttemptBeforeTheLadder() throws Exception {
        String queue = queues.unique("inprocess");
        RetrySettings settings = SHORT.toBuilder().maxAttempts(2).inProcess(2, Duration.ofMillis(10)).build();
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, settings, new FlakyTasks()).start()) {
            OutgoingTask task = task("always_fails", Map.of());
            warren.publisher().publish(task).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.deadLetters().size(queue) == 1);
            // 2 broker attempts x (1 run + 2 in-process retries).
            assertThat(warren.get(FlakyTasks.Runs.class).of(task.id())).extracting(FlakyTasks.Run::attempt)
                    .containsExactly(1, 1, 1, 2, 2, 2);
        }
    }

    @Test
    void permanentFailuresGoStraightToTheDlqAfterOneAttempt() throws Exception {
        String queue = queues.unique("permanent");
        RetrySettings settings = SHORT.toBuilder().nonRetryable(IllegalArgumentException.class).build();
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, settings, new FlakyTasks()).start();
             Connection connection = broker.connect("permanent-test");
             Channel channel = connection.createChannel()) {
            AMQP.BasicProperties plain = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            Map<String, String> bodies = Map.of(
                    "bad-json", "{\"task_type\": ",
                    "unknown-type", "{\"task_type\": \"nobody_handles_this\"}",
                    "unbindable", "{\"task_type\": \"fails_first\", \"times\": \"twice\"}",
                    "refused", "{\"task_type\": \"refuses\"}",
                    "non-retryable", "{\"task_type\": \"wrong_argument\"}");
            for (var entry : bodies.entrySet()) {
                channel.basicPublish("", queue, plain.builder().messageId(entry.getKey()).build(),
                        entry.getValue().getBytes(StandardCharsets.UTF_8));
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> warren.deadLetters().size(queue) == bodies.size());

            Map<String, DeadLetter> byId = new java.util.HashMap<>();
            warren.deadLetters().list(queue, l -> true, 10).forEach(l -> byId.put(l.messageId(), l));
            assertThat(byId).containsOnlyKeys(bodies.keySet());
            assertThat(byId.values()).allSatisfy(l -> assertThat(l.attempts()).isEqualTo(1));
            assertThat(byId.get("bad-json").error()).isEqualTo(MalformedTaskException.class.getName());
            assertThat(byId.get("unknown-type").error()).isEqualTo(UnknownTaskTypeException.class.getName());
            assertThat(byId.get("unbindable").error()).isEqualTo(InvalidPayloadException.class.getName());
            assertThat(byId.get("refused").error()).isEqualTo(PermanentTaskFailure.class.getName());
            assertThat(byId.get("non-retryable").error()).isEqualTo(IllegalArgumentException.class.getName());
            FlakyTasks.Runs runs = warren.get(FlakyTasks.Runs.class);
            assertThat(runs.ofType("refuses")).hasSize(1);
            assertThat(runs.ofType("wrong_argument")).hasSize(1);
            assertThat(warren.worker().stats().count(TaskOutcome.RETRIED)).isZero();
        }
    }

    @Test
    void dlqListLeavesTheQueueAsItWasReplayBringsTasksBackAndPurgeEmptiesIt() throws Exception {
        String queue = queues.unique("tools");
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, SHORT, new FlakyTasks()).start()) {
            List<OutgoingTask> tasks = List.of(task("until_fixed", Map.of("n", 1)), task("until_fixed", Map.of("n", 2)),
                    task("refuses", Map.of()));
            for (OutgoingTask t : tasks) {
                warren.publisher().publish(t).get(5, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.deadLetters().size(queue) == 3);

            List<DeadLetter> first = warren.deadLetters().list(queue, l -> true, 10);
            List<DeadLetter> second = warren.deadLetters().list(queue, l -> true, 10);
            assertThat(second).extracting(DeadLetter::messageId)
                    .containsExactlyElementsOf(first.stream().map(DeadLetter::messageId).toList())
                    .containsExactlyInAnyOrderElementsOf(tasks.stream().map(OutgoingTask::id).toList());
            assertThat(warren.deadLetters().list(queue, l -> l.taskType().equals("refuses"), 10)).hasSize(1);
            assertThat(warren.deadLetters().size(queue)).isEqualTo(3);

            FlakyTasks.Runs runs = warren.get(FlakyTasks.Runs.class);
            runs.fixed = true;
            int moved = warren.deadLetters().replay(queue, l -> l.taskType().equals("until_fixed"), queue);

            assertThat(moved).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.worker().stats().count(TaskOutcome.SUCCEEDED) == 2);
            // Replayed with the attempt counter reset.
            assertThat(runs.ofType("until_fixed").stream().map(FlakyTasks.Run::attempt).toList())
                    .containsOnly(1);
            assertThat(warren.deadLetters().size(queue)).isEqualTo(1);

            assertThat(warren.deadLetters().purge(queue)).isEqualTo(1);
            assertThat(warren.deadLetters().size(queue)).isZero();
        }
    }
}
