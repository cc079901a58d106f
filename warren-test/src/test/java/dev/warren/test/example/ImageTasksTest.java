package dev.warren.test.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.test.DeadLetterReason;
import dev.warren.test.QueuedTask;
import dev.warren.test.TaskHarness;
import dev.warren.test.TaskRun;
import dev.warren.test.example.ImageTypes.ResizeImage;
import dev.warren.test.example.ImageTypes.ResizeResult;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker-free example of docs/testing-tasks.md; the snippets there are copied from this file. */
class ImageTasksTest {

    // tag::harness[]
    private final FlakyStore store = new FlakyStore();
    private final TaskHarness harness = TaskHarness.of(new ImageTasks(),
            binder -> binder.bind(ImageStore.class).toInstance(store));

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

    /** Fails the next calls with an IOException (retryable); a {@code .tga} image with UnsupportedImageException. */
    static final class FlakyStore implements ImageStore {
        private int failures;

        synchronized void failNext(int count) {
            failures = count;
        }

        @Override
        public synchronized String resize(String url, int width, String idempotencyKey) throws IOException {
            if (url.endsWith(".tga")) {
                throw new UnsupportedImageException("cannot resize image/x-tga");
            }
            if (failures > 0) {
                failures--;
                throw new IOException("image store timed out");
            }
            return url.replace(".png", "-" + width + ".png");
        }
    }
}
