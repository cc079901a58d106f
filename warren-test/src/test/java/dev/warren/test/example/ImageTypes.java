package dev.warren.test.example;

import dev.warren.core.task.TaskType;

/** The example of docs/testing-tasks.md: task types a team shares between its producers and its worker. */
public final class ImageTypes {

    /** Resize an image; its handler returns where the resized copy is. */
    public static final TaskType<ResizeImage, ResizeResult> RESIZE =
            TaskType.of("resize_image", ResizeImage.class, ResizeResult.class);

    private ImageTypes() {
    }

    /** The payload: {@code {"task_type":"resize_image","image_url":"...","width":640}}. */
    public record ResizeImage(String imageUrl, int width) {
    }

    /** The result. */
    public record ResizeResult(String resizedUrl) {
    }
}
