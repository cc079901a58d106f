package dev.warren.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How long each schedule waits before its failed firing is published again: {@link #FIRST} after
 * the first failure of a streak, doubling up to {@link #MAX}; a success ends the streak. So a
 * firing the broker keeps refusing (its work queue does not exist yet: returned as unroutable) is
 * tried a few times a minute, not every tick. Used by the tick thread only: not thread-safe.
 */
final class FiringBackoff {

    /** The wait after the first failure of a streak. */
    static final Duration FIRST = Duration.ofSeconds(1);
    /** The longest wait. */
    static final Duration MAX = Duration.ofMinutes(1);

    /** A schedule's failures in a row, and when it may be published again. */
    record Streak(int failures, Duration delay, Instant retryAt) {
    }

    private final Map<String, Streak> streaks = new HashMap<>();

    /** True when {@code schedule} may be published at {@code now}: no failure, or its wait is over. */
    boolean mayPublish(String schedule, Instant now) {
        Streak streak = streaks.get(schedule);
        return streak == null || !now.isBefore(streak.retryAt());
    }

    /** Records that publishing {@code schedule} failed at {@code now}; returns its streak, with the delay that starts. */
    Streak failed(String schedule, Instant now) {
        Streak last = streaks.get(schedule);
        Duration delay = last == null ? FIRST : min(last.delay().multipliedBy(2), MAX);
        Streak streak = new Streak(last == null ? 1 : last.failures() + 1, delay, now.plus(delay));
        streaks.put(schedule, streak);
        return streak;
    }

    /** Records that publishing {@code schedule} succeeded; returns how many failures in a row it ends (0: none). */
    int succeeded(String schedule) {
        Streak ended = streaks.remove(schedule);
        return ended == null ? 0 : ended.failures();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
