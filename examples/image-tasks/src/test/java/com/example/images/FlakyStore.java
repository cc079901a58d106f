package com.example.images;

import java.io.IOException;

/** The {@link PretendImageStore}, made to fail its next calls with an IOException (retryable) on demand. Thread-safe. */
final class FlakyStore implements ImageStore {

    private final PretendImageStore store = new PretendImageStore();
    private int failures;

    synchronized void failNext(int count) {
        failures = count;
    }

    boolean isCached(String imageUrl) {
        return store.isCached(imageUrl);
    }

    @Override
    public synchronized String resize(String imageUrl, int width, String idempotencyKey) throws IOException {
        if (failures > 0) {
            failures--;
            throw new IOException("image store timed out");
        }
        return store.resize(imageUrl, width, idempotencyKey);
    }

    @Override
    public void warm(String imageUrl) {
        store.warm(imageUrl);
    }
}
