package dev.warren.test.example;

/** What the example handler depends on; tests bind their own. */
public interface ImageStore {

    /** Resizes the image at {@code url} to {@code width}; returns the copy's URL. */
    String resize(String url, int width, String idempotencyKey) throws Exception;
}
