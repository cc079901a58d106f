package com.example.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.images.ImageTypes.ResizeImage;
import com.example.images.ImageTypes.ResizeResult;
import dev.warren.retry.DeadLetter;
import dev.warren.test.WarrenWorkerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The image tasks in a real worker on a real broker; docs/testing-tasks.md copies the tagged part. */
class ImageTasksOnBrokerTest {

    // tag::extension[]
    private final FlakyStore store = new FlakyStore();

    @RegisterExtension
    final WarrenWorkerExtension warren = WarrenWorkerExtension.builder()
            .modules(new ImageTasks(store))
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
