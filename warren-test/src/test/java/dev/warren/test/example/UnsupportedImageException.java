package dev.warren.test.example;

/** The image's format is not supported: retrying cannot help. */
public final class UnsupportedImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnsupportedImageException(String message) {
        super(message);
    }
}
