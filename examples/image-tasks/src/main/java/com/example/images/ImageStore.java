package com.example.images;

import java.io.IOException;

/** Where images are resized and cached: what the handlers depend on. Implementations are thread-safe. */
public interface ImageStore {

    /**
     * Resizes the image at {@code imageUrl} to {@code width} pixels and returns the copy's URL.
     * Called again with the same {@code idempotencyKey} (a redelivery, a retry), it must not make a
     * second copy.
     *
     * @throws UnsupportedImageException when the format cannot be resized (retrying cannot help)
     * @throws IOException               when the store cannot be reached (worth a retry)
     */
    String resize(String imageUrl, int width, String idempotencyKey) throws IOException;

    /** Loads the image at {@code imageUrl} into the cache; doing it twice is harmless. */
    void warm(String imageUrl) throws IOException;
}
