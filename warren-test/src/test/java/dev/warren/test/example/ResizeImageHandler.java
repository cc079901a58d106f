package dev.warren.test.example;

import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.test.example.ImageTypes.ResizeImage;
import dev.warren.test.example.ImageTypes.ResizeResult;
import jakarta.inject.Inject;

/** The example handler, created by Guice with its {@link ImageStore}. */
public final class ResizeImageHandler implements TaskHandler<ResizeImage, ResizeResult> {

    private final ImageStore store;

    @Inject
    public ResizeImageHandler(ImageStore store) {
        this.store = store;
    }

    @Override
    public ResizeResult handle(ResizeImage task, TaskContext context) throws Exception {
        if (task.width() <= 0) {
            throw new PermanentTaskFailure("width must be positive, was " + task.width());
        }
        return new ResizeResult(store.resize(task.imageUrl(), task.width(), context.messageId()));
    }
}
