package dev.warren.test.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.retry.DeadLetter;
import dev.warren.test.WarrenWorkerExtension;
import dev.warren.test.example.ImageTypes.ResizeImage;
import dev.warren.test.example.ImageTypes.ResizeResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real-broker example of docs/testing-tasks.md; the snippet there is copied from this file. */
class ImageTasksOnBrokerTest {

    // tag::extension[]
    private final ImageTasksTest.FlakyStore store = new ImageTasksTest.FlakyStore();

    @RegisterExtension
    final WarrenWorkerExtension warren = WarrenWorkerExtension.builder()
            .modules(new ImageTasks(), binder -> binder.bind(ImageStore.class).toInstance(store))
            .build();

    @Test
    void resizesThroughTheBroker() {
        ResizeResult result = warren.probe().request(ImageTypes.RESIZE,
                new ResizeImage("https://img.example/cat.png", 640));

        assertThat(result.resizedUrl()).isEqualTo("https://img.example/cat-640.png");
    }

    @Test
    void unsupportedImageIsInTheDeadLetterQueue() {
        String id = warren.probe().publish(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.tga", 640));

        DeadLetter letter = warren.probe().awaitDeadLetter(id);
        assertThat(letter.errorMessage()).isEqualTo("cannot resize image/x-tga");
        assertThat(letter.attempts()).isEqualTo(1);
    }
    // end::extension[]
}
