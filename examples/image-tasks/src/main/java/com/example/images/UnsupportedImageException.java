package com.example.images;

/** The image's format cannot be resized: retrying cannot help, so {@link ImageTasks} makes it non-retryable. */
public final class UnsupportedImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnsupportedImageException(String message) {
        super(message);
    }
}
