package dev.warren.retry;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The delays between attempts, served by the broker: after attempt {@code n} fails, the task
 * waits {@code delays[n-1]} in the retry queue {@code <queue>.retry.<delay>}; attempts past the
 * ladder reuse its last level. Each delay level has its own queue, so every message in a queue
 * has the same TTL and none waits behind a longer one (no head-of-line blocking).
 *
 * @param delays the ladder, shortest first by convention, each between 1 ms and 24 days
 */
public record RetryLadder(List<Duration> delays) {

    /** Longest TTL the broker accepts (a 32-bit millisecond count); declared before DEFAULT, which needs it. */
    private static final Duration MAX_DELAY = Duration.ofMillis(Integer.MAX_VALUE);

    /** {@code 1s,10s,1m,5m}. */
    public static final RetryLadder DEFAULT = parse("1s,10s,1m,5m");

    public RetryLadder {
        Objects.requireNonNull(delays, "delays");
        if (delays.isEmpty()) {
            throw new InvalidSettingException("retry delays must name at least one delay, such as 1s,10s,1m");
        }
        for (Duration delay : delays) {
            if (delay == null || delay.toMillis() < 1 || delay.compareTo(MAX_DELAY) > 0) {
                throw new InvalidSettingException("retry delays must be between 1ms and 24d, was "
                        + (delay == null ? "null" : Durations.format(delay)));
            }
        }
        delays = List.copyOf(delays);
    }

    /** Parses {@code 1s,10s,1m,5m} ({@code WARREN_RETRY_DELAYS}). */
    public static RetryLadder parse(String text) {
        List<Duration> delays = new ArrayList<>();
        for (String part : Objects.requireNonNull(text, "retry delays").split(",")) {
            if (!part.isBlank()) {
                try {
                    delays.add(Durations.parse(part.trim()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidSettingException("retry delays: " + e.getMessage());
                }
            }
        }
        return new RetryLadder(delays);
    }

    /** The same delay after every failed attempt. */
    public static RetryLadder fixed(Duration delay) {
        return new RetryLadder(List.of(delay));
    }

    /** {@code steps} delays starting at {@code initial}, each {@code multiplier} times the previous. */
    public static RetryLadder exponential(Duration initial, double multiplier, int steps) {
        if (steps < 1 || multiplier < 1) {
            throw new InvalidSettingException("exponential retry delays need steps >= 1 and multiplier >= 1, was "
                    + steps + " and " + multiplier);
        }
        List<Duration> delays = new ArrayList<>();
        double millis = initial.toMillis();
        for (int i = 0; i < steps; i++) {
            delays.add(Duration.ofMillis(Math.round(millis)));
            millis *= multiplier;
        }
        return new RetryLadder(delays);
    }

    /** The delay after attempt {@code failedAttempt} (1-based) failed. */
    public Duration delayAfter(int failedAttempt) {
        int index = Math.min(Math.max(failedAttempt, 1), delays.size()) - 1;
        return delays.get(index);
    }

    /** The retry queue of {@code queue} for {@code delay}, e.g. {@code task_queue.retry.10s}. */
    public static String queueName(String queue, Duration delay) {
        return queue + ".retry." + Durations.format(delay);
    }

    @Override
    public String toString() {
        return String.join(",", delays.stream().map(Durations::format).toList());
    }
}
