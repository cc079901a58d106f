package dev.warren.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.warren.core.spi.InvalidPayloadException;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.TaskFailedException;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskType;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.retry.DeadLetter;
import dev.warren.retry.RetrySettings;
import dev.warren.test.fixture.ImageStore;
import dev.warren.test.fixture.ImageTasks;
import dev.warren.test.fixture.ImageTypes;
import dev.warren.test.fixture.ImageTypes.ResizeImage;
import dev.warren.test.fixture.ImageTypes.ResizeResult;
import dev.warren.test.fixture.UnsupportedImageException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension runs a real worker with the retry ladder on a real broker, one queue per test. */
class WarrenWorkerExtensionTest {

    /** Fails its first {@code failures} attempts, then answers with the attempt number. */
    record Flaky(int failures) {
    }

    static final TaskType<Flaky, Integer> FLAKY = TaskType.of("flaky", Flaky.class, Integer.class);
    private static final ResizeImage CAT = new ResizeImage("https://img.example/cat.png", 640);

    private final ScriptedStore store = new ScriptedStore();

    @RegisterExtension
    final WarrenWorkerExtension warren = WarrenWorkerExtension.builder()
            .modules(new ImageTasks(), binder -> binder.bind(ImageStore.class).toInstance(store), new TaskModule() {
                @Override
                protected void configureTasks() {
                    bindTask(FLAKY, (task, context) -> {
                        if (context.attempt() <= task.failures()) {
                            throw new IllegalStateException("attempt " + context.attempt() + " fails");
                        }
                        return context.attempt();
                    });
                }
            })
            .retrySettings(RetrySettings.custom().maxAttempts(3).delays("50ms").build())
            .queuePrefix("kit-extension")
            .build();

    @Test
    void requestReturnsTheTypedResultFromTheRealWorker() {
        ResizeResult result = warren.probe().request(ImageTypes.RESIZE, CAT);

        assertThat(result).isEqualTo(new ResizeResult("https://img.example/cat-640.png"));
        assertThat(warren.queue()).startsWith("kit-extension-");
    }

    @Test
    void failsTwiceAndSucceedsOnAttemptThreeThroughTheBrokersRetryQueues() {
        assertThat(warren.probe().request(FLAKY, new Flaky(2))).isEqualTo(3);
    }

    @Test
    void retriesThreeTimesThenDeadLettersWithTheReason() {
        TaskFailedException failure = warren.probe().requestFailure(FLAKY, new Flaky(5));

        assertThat(failure.error()).isEqualTo("attempt 3 fails");
        DeadLetter letter = warren.probe().awaitDeadLetter(failure.taskId());
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.error()).isEqualTo(IllegalStateException.class.getName());
        assertThat(letter.sourceQueue()).isEqualTo(warren.queue());
    }

    @Test
    void nonRetryableExceptionIsInTheDeadLetterQueueAfterOneAttempt() {
        store.failWith(new UnsupportedImageException("image/x-tga is not supported"));

        String id = warren.probe().publish(ImageTypes.RESIZE, CAT);

        DeadLetter letter = warren.probe().awaitDeadLetter(id);
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.errorMessage()).isEqualTo("image/x-tga is not supported");
        assertThat(store.keys()).containsExactly(id);
    }

    @Test
    void payloadThatDoesNotBindIsDeadLetteredAsInvalid() throws Exception {
        var payload = JsonNodeFactory.instance.objectNode().put("image_url", "https://img.example/cat.png")
                .put("width", "wide");
        OutgoingTask task = OutgoingTask.of("resize_image", payload);
        warren.publisher().publish(task).get(10, TimeUnit.SECONDS);

        DeadLetter letter = warren.probe().awaitDeadLetter(task.id());
        assertThat(letter.error()).isEqualTo(InvalidPayloadException.class.getName());
        assertThat(letter.properties().getHeaders()).containsKey(TaskHeaders.STACK_TRACE);
    }
}
