package dev.warren.core.consume;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of tasks whose delivery went back to the queue through no failure of their attempt: they
 * were running when this worker lost its connection (the broker put them back), or they succeeded
 * and their result could not be sent (the worker put them back). The redelivery carries the
 * {@code redelivered} flag although no worker crashed on them; a failure policy that counts
 * redeliveries as failed attempts must not charge this one. The dispatcher keeps one instance per
 * cause.
 *
 * <p>Each id is forgiven at most {@link #MAX_FORGIVEN} times, so a task that takes its worker's
 * connection down with it every time still ends in the dead-letter queue. Bounded: the oldest ids
 * are forgotten first. Thread-safe.
 */
final class AbandonedTasks {

    static final int MAX_FORGIVEN = 3;
    private static final int CAPACITY = 10_000;

    private static final class Record {
        int abandoned;
        int forgiven;
    }

    // Guarded by "this": touched once per abandoned task and once per redelivery, never per task.
    private final Map<String, Record> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Record> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The delivery of task {@code id} went back to the queue; returns how many times it has, as far as this remembers. */
    synchronized int abandoned(String id) {
        return ++entries.computeIfAbsent(id, k -> new Record()).abandoned;
    }

    /**
     * True when the redelivery of {@code id} is owed to an abandoned run and may be forgiven; each
     * abandoned run forgives one redelivery, up to {@link #MAX_FORGIVEN} in all.
     */
    synchronized boolean forgive(String id) {
        Record entry = entries.get(id);
        if (entry == null || entry.forgiven >= entry.abandoned || entry.forgiven >= MAX_FORGIVEN) {
            return false;
        }
        entry.forgiven++;
        return true;
    }
}
