package com.example.images;

import com.example.images.ImageTypes.ResizeImage;
import com.example.images.ImageTypes.ResizeResult;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import jakarta.inject.Inject;

/** Runs {@code resize_image}; Guice creates it for every task, with the module's {@link ImageStore}. */
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
        // context.messageId() is the idempotency key: delivery is at least once.
        return new ResizeResult(store.resize(task.imageUrl(), task.width(), context.messageId()));
    }
}
