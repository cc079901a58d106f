package com.example.images;

import com.example.images.ImageTypes.WarmCache;
import dev.warren.core.schedule.Schedule;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The image team's task module: {@code resize_image} with options of its own, and
 * {@code warm_cache} with the worker's defaults, warmed every night by the schedule
 * {@code warm_front_page}. worker-app finds it through
 * {@code META-INF/services/dev.warren.core.task.TaskModule} in this jar ({@code --tasks}) and
 * creates it with the public no-arg constructor.
 */
public final class ImageTasks extends TaskModule {

    private final ImageStore store;

    /** The module worker-app's {@code --tasks} creates, on the {@link PretendImageStore}. */
    public ImageTasks() {
        this(new PretendImageStore());
    }

    /** The module on {@code store}: for tests, or for a team's own main ({@code WarrenWorker.run}). */
    public ImageTasks(ImageStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    protected void configureTasks() {
        bind(ImageStore.class).toInstance(store);
        bindTask(ImageTypes.RESIZE, ResizeImageHandler.class, TaskOptions.builder()
                .timeLimit(Duration.ofMinutes(2))             // per attempt; interrupted after
                .maxAttempts(3).retryDelays("30s,5m")          // instead of the worker's ladder
                .nonRetryable(UnsupportedImageException.class) // straight to the DLQ
                .maxAge(Duration.ofHours(1))                   // older by its timestamp: DLQ as expired
                .build());
        bindTask(ImageTypes.WARM_CACHE, (task, context) -> {
            store.warm(task.imageUrl());
            return null;
        });
        // Published by worker-app --scheduler: every night at 03:00 Berlin time, id warm_front_page@<due>.
        schedule("warm_front_page", ImageTypes.WARM_CACHE, Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")),
                new WarmCache("https://img.example/front-page.png"));
    }
}
