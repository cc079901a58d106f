package dev.warren.retry;

/**
 * How fast a dead-letter replay goes.
 *
 * @param perSecond at most this many copies published a second; 0 for as fast as confirms allow
 * @param window    at most this many copies published and not yet confirmed by the broker (and so
 *                  at most this many originals that a crash of the replaying process can leave in
 *                  the dead-letter queue next to their copy: the bound on duplicates)
 */
public record ReplayPace(double perSecond, int window) {

    /** Copies awaiting a confirm unless a pace says otherwise. */
    public static final int DEFAULT_WINDOW = 1_000;
    /** The largest window. */
    public static final int MAX_WINDOW = DeadLetterQueue.MAX_PREFETCH;

    public ReplayPace {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("replay rate must be >= 0 per second (0: no limit), was " + perSecond);
        }
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("replay window must be between 1 and " + MAX_WINDOW + ", was " + window);
        }
    }

    /** As fast as the broker confirms, {@value #DEFAULT_WINDOW} copies in flight. */
    public static ReplayPace unlimited() {
        return new ReplayPace(0, DEFAULT_WINDOW);
    }

    /** At most {@code perSecond} copies a second, {@value #DEFAULT_WINDOW} in flight. */
    public static ReplayPace perSecond(double perSecond) {
        return new ReplayPace(perSecond, DEFAULT_WINDOW);
    }

    /** Nanoseconds between two copies; 0 without a limit. */
    long intervalNanos() {
        return perSecond == 0 ? 0 : (long) (1_000_000_000L / perSecond);
    }
}
