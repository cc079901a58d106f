package com.example.images;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for the team's image service so the example runs anywhere: it resizes nothing, but
 * answers as the service would. {@code https://img.example/cat.png} at width 640 becomes
 * {@code https://img.example/cat-640.png}; a format other than PNG, JPEG or WebP is unsupported.
 * Thread-safe.
 */
public final class PretendImageStore implements ImageStore {

    private static final Logger log = LoggerFactory.getLogger(PretendImageStore.class);
    private static final Set<String> FORMATS = Set.of("png", "jpg", "jpeg", "webp");

    private final Set<String> cached = ConcurrentHashMap.newKeySet();

    @Override
    public String resize(String imageUrl, int width, String idempotencyKey) {
        int dot = imageUrl.lastIndexOf('.');
        String format = dot < 0 ? "" : imageUrl.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new UnsupportedImageException("cannot resize image/x-" + (format.isEmpty() ? "unknown" : format));
        }
        // The copy's URL depends on the image and the width only: a second run with the same key
        // names the same copy, so the handler is idempotent without remembering the key.
        log.info("pretended to resize {} to {} px", imageUrl, width);
        return imageUrl.substring(0, dot) + "-" + width + imageUrl.substring(dot);
    }

    @Override
    public void warm(String imageUrl) {
        cached.add(imageUrl);
    }

    /** Whether {@link #warm} loaded {@code imageUrl}. */
    public boolean isCached(String imageUrl) {
        return cached.contains(imageUrl);
    }
}
