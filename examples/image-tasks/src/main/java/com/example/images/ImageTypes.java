package com.example.images;

import dev.warren.core.task.TaskType;

/**
 * The image team's task types, with their payload and result records: what its producers and its
 * worker share. In a real project this class is a small jar of its own that both depend on.
 */
public final class ImageTypes {

    /** Resize an image; the result says where the resized copy is. */
    public static final TaskType<ResizeImage, ResizeResult> RESIZE =
            TaskType.of("resize_image", ResizeImage.class, ResizeResult.class);

    /** Load an image into the cache; no result. */
    public static final TaskType<WarmCache, Void> WARM_CACHE = TaskType.of("warm_cache", WarmCache.class);

    private ImageTypes() {
    }

    /** {@code {"task_type":"resize_image","image_url":"https://img.example/cat.png","width":640}} */
    public record ResizeImage(String imageUrl, int width) {
    }

    /** {@code {"resized_url":"https://img.example/cat-640.png"}} */
    public record ResizeResult(String resizedUrl) {
    }

    /** {@code {"task_type":"warm_cache","image_url":"https://img.example/cat.png"}} */
    public record WarmCache(String imageUrl) {
    }
}
