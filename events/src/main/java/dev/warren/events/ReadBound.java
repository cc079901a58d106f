package dev.warren.events;

import java.time.Duration;

/**
 * When a bounded read of the stream ({@link TaskEvents#read}) has read everything the stream held
 * when it started. Over AMQP 0-9-1 a stream has no end to read to and no way to ask for its last
 * offset, so the read learns the end from a second consumer started at {@code next} just before
 * it: the first offset that consumer receives is the first event written after the read began.
 * The read stops once it has passed on the offset before that one, or reaches that one. On a
 * stream nothing is written to that consumer receives nothing; then the read stops when no
 * delivery came for the idle time (the history arrives without pauses), not counting the time the
 * sink takes with a delivery.
 *
 * <p>Thread safe: the reader's and the end consumer's amqp-client threads report here, the caller
 * waits in {@link #await}; one lock guards all of it.
 */
final class ReadBound {

    /** An offset not known (a delivery without {@code x-stream-offset}, or no end seen yet). */
    static final long UNKNOWN = -1;

    private final Object lock = new Object();
    private final Duration idle;
    // All guarded by lock.
    private long end = UNKNOWN;
    private long lastPassed = UNKNOWN;
    private boolean busy;
    private long lastActivity = System.nanoTime();
    private boolean done;

    ReadBound(Duration idle) {
        this.idle = idle;
    }

    /** The end consumer received {@code offset}: the first event written after the read began. */
    void endAt(long offset) {
        synchronized (lock) {
            if (end != UNKNOWN || offset == UNKNOWN) {
                return;
            }
            end = offset;
            if (lastPassed != UNKNOWN && lastPassed >= end - 1) {
                finish();
            }
        }
    }

    /**
     * The reader received the message at {@code offset}: true to pass it on (then call
     * {@link #passed}), false when it is past the end (the read is then over).
     */
    boolean begin(long offset) {
        synchronized (lock) {
            if (done || (end != UNKNOWN && offset != UNKNOWN && offset >= end)) {
                finish();
                return false;
            }
            busy = true;
            return true;
        }
    }

    /** The reader has passed on the message at {@code offset}. */
    void passed(long offset) {
        synchronized (lock) {
            busy = false;
            lastActivity = System.nanoTime();
            if (offset != UNKNOWN) {
                lastPassed = offset;
                if (end != UNKNOWN && offset >= end - 1) {
                    finish();
                }
            }
        }
    }

    /** Blocks until the read has reached the end, or was idle for the idle time. */
    void await() throws InterruptedException {
        synchronized (lock) {
            while (!done) {
                long idleFor = System.nanoTime() - lastActivity;
                if (!busy && idleFor >= idle.toNanos()) {
                    return;
                }
                long waitNanos = busy ? idle.toNanos() : idle.toNanos() - idleFor;
                lock.wait(Math.max(1, waitNanos / 1_000_000));
            }
        }
    }

    private void finish() {
        done = true;
        lock.notifyAll();
    }
}
