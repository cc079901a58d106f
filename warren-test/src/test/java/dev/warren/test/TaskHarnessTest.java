package dev.warren.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.inject.CreationException;
import dev.warren.core.task.TaskTimeLimitExceeded;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.retry.RetrySettings;
import dev.warren.test.fixture.ImageStore;
import dev.warren.test.fixture.ImageTasks;
import dev.warren.test.fixture.ImageTypes;
import dev.warren.test.fixture.ImageTypes.ResizeImage;
import dev.warren.test.fixture.ImageTypes.ResizeResult;
import dev.warren.test.fixture.UnsupportedImageException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker-free harness decides as the worker does: one test per outcome and dead-letter reason. */
class TaskHarnessTest {

    private static final ResizeImage CAT = new ResizeImage("https://img.example/cat.png", 640);
    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

    private final ScriptedStore store = new ScriptedStore();
    private final TestClock clock = TestClock.at(START);
    private final TaskHarness harness = TaskHarness.builder()
            .modules(new ImageTasks(), binder -> binder.bind(ImageStore.class).toInstance(store))
            .clock(clock)
            .build();

    @AfterEach
    void closeHarness() {
        harness.close();
    }

    @Test
    void succeedsWithTheTypedResultOfTheInjectedHandler() {
        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, CAT);

        assertThat(run.result()).isEqualTo(new ResizeResult("https://img.example/cat-640.png"));
        assertThat(run.outcome()).isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(run.attemptCount()).isEqualTo(1);
        assertThat(store.keys()).containsExactly(run.taskId());
    }

    @Test
    void failsTwiceThenSucceedsOnAttemptThreeAfterTheTypesRetryDelaysOnTheClock() {
        store.failWith(new IOException("storage timeout"), new IOException("storage timeout"));

        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, CAT);

        assertThat(run.result().resizedUrl()).endsWith("cat-640.png");
        assertThat(run.attempts()).extracting(Attempt::number, Attempt::outcome).containsExactly(
                tuple(1, TaskOutcome.RETRIED),
                tuple(2, TaskOutcome.RETRIED),
                tuple(3, TaskOutcome.SUCCEEDED));
        assertThat(run.retryDelays()).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(5));
        assertThat(run.attempts().get(2).startedAt()).isEqualTo(START.plus(Duration.ofSeconds(330)));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(330));
        // Every attempt is the same task: the idempotency key does not change across retries.
        assertThat(store.keys()).hasSize(3).containsOnly(run.taskId());
    }

    @Test
    void retriesThreeTimesThenDeadLettersWhenAttemptsAreExhausted() {
        store.failWith(new IOException("down"), new IOException("down"), new IOException("still down"));

        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, CAT);

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.ATTEMPTS_EXHAUSTED);
        assertThat(run.attemptCount()).isEqualTo(3);
        assertThat(run.error()).isEqualTo("still down");
        assertThat(run.failure()).isInstanceOf(IOException.class);
        assertThatThrownBy(run::result).isInstanceOf(AssertionError.class)
                .hasMessageContaining("dead-lettered (ATTEMPTS_EXHAUSTED) on attempt 3: still down");
    }

    @Test
    void typesWithoutRetryOptionsUseTheWorkersLadder() {
        TaskType<ResizeImage, ResizeResult> plain = TaskType.of("plain_resize", ResizeImage.class, ResizeResult.class);
        try (TaskHarness defaults = TaskHarness.builder()
                .modules(new TaskModule() {
                    @Override
                    protected void configureTasks() {
                        bindTask(plain, (task, context) -> {
                            throw new IllegalStateException("always");
                        });
                    }
                })
                .retrySettings(RetrySettings.custom().maxAttempts(4).delays("1s,10s").build())
                .build()) {
            TaskRun<ResizeResult> run = defaults.send(plain, CAT);

            assertThat(run.retryDelays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(10),
                    Duration.ofSeconds(10));
            assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.ATTEMPTS_EXHAUSTED);
        }
    }

    @Test
    void nonRetryableExceptionGoesStraightToTheDeadLetterQueue() {
        store.failWith(new UnsupportedImageException("image/x-tga is not supported"));

        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, CAT);

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.NON_RETRYABLE);
        assertThat(run.attemptCount()).isEqualTo(1);
        assertThat(run.error()).isEqualTo("image/x-tga is not supported");
    }

    @Test
    void permanentTaskFailureGoesStraightToTheDeadLetterQueue() {
        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.png", 0));

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.PERMANENT_FAILURE);
        assertThat(run.error()).isEqualTo("width must be positive, was 0");
        assertThat(store.keys()).isEmpty();
    }

    @Test
    void payloadThatDoesNotBindIsDeadLetteredAsInvalid() {
        TaskRun<JsonNode> run = harness.sendJson(
                "{\"task_type\":\"resize_image\",\"image_url\":\"https://img.example/cat.png\",\"width\":\"wide\"}");

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.INVALID_PAYLOAD);
        assertThat(run.error()).startsWith("payload does not fit ResizeImage of task type 'resize_image'");
        assertThat(store.keys()).isEmpty();
    }

    @Test
    void unknownTaskTypeGoesToDlq() {
        TaskRun<JsonNode> run = harness.send("crop_image", JsonNodeFactory.instance.objectNode().put("width", 3));

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.UNKNOWN_TYPE);
        assertThat(run.error()).isEqualTo("unknown task type 'crop_image' (this worker runs [resize_image])");
    }

    @Test
    void malformedBodyGoesToDlq() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\":\"resize_image\",");

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.MALFORMED);
        assertThat(run.taskType()).isEqualTo("unknown");
    }

    @Test
    void attemptPastItsTimeLimitIsInterruptedAndRetriedUntilExhausted() {
        store.hang();

        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, CAT);

        assertThat(run.attempts()).allSatisfy(attempt -> assertThat(attempt.failure())
                .isInstanceOf(TaskTimeLimitExceeded.class));
        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.ATTEMPTS_EXHAUSTED);
        assertThat(run.attemptCount()).isEqualTo(3);
        assertThat(run.error()).contains("ran past its time limit of 200ms");
    }

    @Test
    void taskOlderThanItsMaxAgeIsDeadLetteredAsExpiredWithoutRunning() {
        QueuedTask<ResizeResult> queued = harness.enqueue(ImageTypes.RESIZE, CAT);
        clock.advance(Duration.ofMinutes(61));

        TaskRun<ResizeResult> run = harness.deliver(queued);

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.EXPIRED);
        assertThat(run.error()).startsWith("expired: task " + queued.id()).endsWith("over its max age of 1h");
        assertThat(store.keys()).isEmpty();
    }

    @Test
    void taskWithinItsMaxAgeRuns() {
        QueuedTask<ResizeResult> queued = harness.enqueue(ImageTypes.RESIZE, CAT);
        clock.advance(Duration.ofMinutes(59));

        assertThat(harness.deliver(queued).succeeded()).isTrue();
    }

    @Test
    void retriesCountTowardsMaxAgeFromTheFirstPublish() {
        // 30s + 5m of retry delays on a task 57 minutes old when first delivered: expired on attempt 3.
        store.failWith(new IOException("down"), new IOException("down"));
        QueuedTask<ResizeResult> queued = harness.enqueue(ImageTypes.RESIZE, CAT);
        clock.advance(Duration.ofMinutes(57));

        TaskRun<ResizeResult> run = harness.deliver(queued);

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.EXPIRED);
        assertThat(run.attemptCount()).isEqualTo(3);
    }

    @Test
    void untypedTaskFromAnotherLanguageRunsAndAnswersWithJson() {
        TaskRun<JsonNode> run = harness.sendJson(
                "{\"task_type\":\"resize_image\",\"image_url\":\"https://img.example/dog.png\",\"width\":32,\"extra\":1}");

        assertThat(run.result().get("resized_url").asText()).isEqualTo("https://img.example/dog-32.png");
    }

    @Test
    void registeringATypeTwiceFailsAsTheWorkerWould() {
        assertThatThrownBy(() -> TaskHarness.of(new ImageTasks(), new ImageTasks(),
                binder -> binder.bind(ImageStore.class).toInstance(store)))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("resize_image");
    }

    @Test
    void handlerSeesTheAttemptNumberOfEachRetry() {
        TaskType<ResizeImage, Integer> counting = TaskType.of("counting", ResizeImage.class, Integer.class);
        try (TaskHarness attempts = TaskHarness.of(new TaskModule() {
            @Override
            protected void configureTasks() {
                bindTask(counting, (task, context) -> {
                    if (context.attempt() < 4) {
                        throw new IllegalStateException("attempt " + context.attempt());
                    }
                    return context.attempt();
                });
            }
        })) {
            TaskRun<Integer> run = attempts.send(counting, CAT);

            assertThat(run.result()).isEqualTo(4);
            assertThat(run.attempts()).extracting(Attempt::error)
                    .containsExactly("attempt 1", "attempt 2", "attempt 3", null);
        }
    }
}
