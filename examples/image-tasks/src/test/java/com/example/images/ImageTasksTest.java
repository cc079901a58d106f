package com.example.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.images.ImageTypes.ResizeImage;
import com.example.images.ImageTypes.ResizeResult;
import com.example.images.ImageTypes.WarmCache;
import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.test.DeadLetterReason;
import dev.warren.test.QueuedTask;
import dev.warren.test.TaskHarness;
import dev.warren.test.TaskRun;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The image tasks without a broker; docs/testing-tasks.md copies the tagged part. */
class ImageTasksTest {

    // tag::harness[]
    private final FlakyStore store = new FlakyStore();
    private final TaskHarness harness = TaskHarness.of(new ImageTasks(store));

    @AfterEach
    void closeHarness() {
        harness.close();
    }

    @Test
    void resizes() {
        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.png", 640));

        assertThat(run.result()).isEqualTo(new ResizeResult("https://img.example/cat-640.png"));
    }

    @Test
    void failsTwiceThenSucceedsOnAttemptThree() {
        store.failNext(2);

        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.png", 640));

        assertThat(run.succeeded()).isTrue();
        assertThat(run.attemptCount()).isEqualTo(3);
        assertThat(run.retryDelays()).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    @Test
    void unsupportedImageGoesStraightToTheDeadLetterQueue() {
        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.tga", 640));

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.NON_RETRYABLE);
        assertThat(run.error()).isEqualTo("cannot resize image/x-tga");
    }

    @Test
    void expiresAfterAnHourInTheQueue() {
        QueuedTask<ResizeResult> queued = harness.enqueue(ImageTypes.RESIZE,
                new ResizeImage("https://img.example/cat.png", 640));
        harness.clock().advance(Duration.ofMinutes(61));

        assertThat(harness.deliver(queued).deadLetterReason()).isEqualTo(DeadLetterReason.EXPIRED);
    }
    // end::harness[]

    @Test
    void failsThreeTimesThenIsDeadLetteredOutOfAttempts() {
        store.failNext(3);

        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.png", 640));

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.ATTEMPTS_EXHAUSTED);
        assertThat(run.attemptCount()).isEqualTo(3);
        assertThat(run.error()).isEqualTo("image store timed out");
    }

    @Test
    void zeroWidthIsAPermanentFailure() {
        TaskRun<ResizeResult> run = harness.send(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.png", 0));

        assertThat(run.deadLetterReason()).isEqualTo(DeadLetterReason.PERMANENT_FAILURE);
        assertThat(run.error()).isEqualTo("width must be positive, was 0");
    }

    @Test
    void warmsTheCacheWithoutAResult() {
        TaskRun<Void> run = harness.send(ImageTypes.WARM_CACHE, new WarmCache("https://img.example/cat.png"));

        assertThat(run.succeeded()).isTrue();
        assertThat(run.result()).isNull();
        assertThat(store.isCached("https://img.example/cat.png")).isTrue();
    }

    @Test
    void aPikaProducersJsonBindsToThePayload() {
        TaskRun<JsonNode> run = harness.sendJson("{\"task_type\": \"resize_image\", \"image_url\": \"https://img.example/dog.jpg\", \"width\": 320}");

        assertThat(run.succeeded()).isTrue();
    }
}
