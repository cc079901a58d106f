package dev.warren.core.it;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import dev.warren.core.task.TaskType;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Typed task types, registered with a handler class and with lambdas, each with its own options. */
final class TypedTasks extends TaskModule {

    record ResizeImage(String imageUrl, int width) {
    }

    record ResizeResult(String resizedUrl, int width) {
    }

    static final TaskType<ResizeImage, ResizeResult> RESIZE = TaskType.of("resize_image", ResizeImage.class, ResizeResult.class);
    static final TaskType<ResizeImage, List<ResizeResult>> VARIANTS = TaskType.of("resize_variants", ResizeImage.class,
            new TypeReference<List<ResizeResult>>() { });
    static final TaskType<ResizeImage, Void> WARM_CACHE = TaskType.of("warm_cache", ResizeImage.class);
    static final TaskType<ResizeImage, ResizeResult> BROKEN = TaskType.of("resize_broken", ResizeImage.class, ResizeResult.class);
    static final TaskType<ResizeImage, Void> FRESH_ONLY = TaskType.of("fresh_only", ResizeImage.class);
    static final TaskType<ResizeImage, Void> SLOW = TaskType.of("slow_resize", ResizeImage.class);

    /** What the handlers saw, in order, with their type. Thread-safe. */
    @Singleton
    static final class Seen {
        record Run(String type, ResizeImage payload, boolean interrupted) {
        }

        final List<Run> runs = new CopyOnWriteArrayList<>();

        List<Run> of(TaskType<?, ?> type) {
            return runs.stream().filter(r -> r.type().equals(type.name())).toList();
        }
    }

    /** The handler class of {@code resize_image}: Guice creates it with its dependencies. */
    static final class ResizeImageHandler implements TaskHandler<ResizeImage, ResizeResult> {
        private final Seen seen;

        @Inject
        ResizeImageHandler(Seen seen) {
            this.seen = seen;
        }

        @Override
        public ResizeResult handle(ResizeImage task, TaskContext context) {
            seen.runs.add(new Seen.Run(context.taskType(), task, false));
            return new ResizeResult(task.imageUrl() + "?w=" + task.width(), task.width());
        }
    }

    /** Filled by the lambdas, which Guice does not create. */
    final Seen lambdaSeen = new Seen();

    @Override
    protected void configureTasks() {
        bindTask(RESIZE, ResizeImageHandler.class);
        bindTask(VARIANTS, (task, context) -> List.of(new ResizeResult(task.imageUrl() + "?w=" + task.width(), task.width()),
                new ResizeResult(task.imageUrl() + "?w=" + task.width() / 2, task.width() / 2)));
        bindTask(WARM_CACHE, (task, context) -> {
            lambdaSeen.runs.add(new Seen.Run(context.taskType(), task, false));
            return null;
        });
        bindTask(BROKEN, (task, context) -> {
            throw new IllegalStateException("image server down for " + task.imageUrl());
        });
        bindTask(FRESH_ONLY, (task, context) -> {
            lambdaSeen.runs.add(new Seen.Run(context.taskType(), task, false));
            return null;
        }, TaskOptions.builder().maxAge(Duration.ofMinutes(1)).build());
        bindTask(SLOW, (task, context) -> {
            try {
                Thread.sleep(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                lambdaSeen.runs.add(new Seen.Run(context.taskType(), task, true));
                throw e;
            }
            return null;
        }, TaskOptions.builder().timeLimit(Duration.ofMillis(200)).build());
    }
}
