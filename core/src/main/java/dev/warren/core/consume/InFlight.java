package dev.warren.core.consume;

import java.time.Duration;

/** Counts deliveries being processed, so a graceful stop can wait for them. Thread-safe. */
final class InFlight {

    // Guarded by "this"; waiters are notified whenever the count drops to zero.
    private int count;

    synchronized void begin() {
        count++;
    }

    synchronized void end() {
        count--;
        if (count == 0) {
            notifyAll();
        }
    }

    synchronized int count() {
        return count;
    }

    /** Waits until nothing is in flight or {@code timeout} passes; returns how many are still running. */
    synchronized int awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return count;
    }
}
