package dev.warren.test;

import dev.warren.test.fixture.ImageStore;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link ImageStore} that fails with the scripted exceptions, in order, then resizes. Thread-safe. */
final class ScriptedStore implements ImageStore {

    private final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    private final List<String> keys = new CopyOnWriteArrayList<>();
    private volatile boolean hang;

    /** The next calls throw these, one each. */
    ScriptedStore failWith(Exception... next) {
        failures.addAll(List.of(next));
        return this;
    }

    /** Every call blocks until interrupted. */
    ScriptedStore hang() {
        hang = true;
        return this;
    }

    /** The idempotency keys of every call, in order. */
    List<String> keys() {
        return keys;
    }

    @Override
    public String resize(String url, int width, String idempotencyKey) throws Exception {
        keys.add(idempotencyKey);
        if (hang) {
            Thread.sleep(Long.MAX_VALUE);
        }
        Exception failure = failures.poll();
        if (failure != null) {
            throw failure;
        }
        return url.replace(".png", "-" + width + ".png");
    }
}
