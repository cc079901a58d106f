package dev.warren.core.consume;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts deliveries being processed, so a graceful stop can wait for them. Thread-safe; the
 * delivery path ({@link #begin()}, {@link #end()}) takes no lock unless the count drops to zero.
 */
final class InFlight {

    private final AtomicInteger count = new AtomicInteger();
    // Waiters wait on "lock"; end() notifies under it when the count reaches zero. A waiter checks
    // the count while holding the lock, so a decrement between its check and its wait() still
    // notifies it: end() cannot take the lock until wait() has released it.
    private final Object lock = new Object();

    void begin() {
        count.incrementAndGet();
    }

    void end() {
        if (count.decrementAndGet() == 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    int count() {
        return count.get();
    }

    /** Waits until nothing is in flight or {@code timeout} passes; returns how many are still running. */
    int awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (count.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return count.get();
        }
    }
}
