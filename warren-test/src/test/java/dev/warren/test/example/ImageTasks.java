package dev.warren.test.example;

import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import java.time.Duration;

/** The example team's task module, with the options of README's "Add your own task type". */
public final class ImageTasks extends TaskModule {

    /** Each attempt's time limit. */
    public static final Duration TIME_LIMIT = Duration.ofMillis(200);

    @Override
    protected void configureTasks() {
        bindTask(ImageTypes.RESIZE, ResizeImageHandler.class, TaskOptions.builder()
                .timeLimit(TIME_LIMIT)
                .maxAttempts(3).retryDelays("30s,5m")
                .nonRetryable(UnsupportedImageException.class)
                .maxAge(Duration.ofHours(1))
                .build());
    }
}
