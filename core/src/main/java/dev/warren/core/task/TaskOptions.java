package dev.warren.core.task;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a task type sets for itself, given where it is registered
 * ({@link TaskModule#bindTask(TaskType, Class, TaskOptions)}). Immutable; build with
 * {@link #builder()}, which validates at {@link Builder#build()}:
 *
 * <pre>{@code
 * TaskOptions.builder()
 *         .timeLimit(Duration.ofMinutes(2))
 *         .maxAttempts(3)
 *         .retryDelays("30s,5m")
 *         .nonRetryable(CardDeclinedException.class)
 *         .maxAge(Duration.ofHours(1))
 *         .build();
 * }</pre>
 *
 * Unset values mean the worker's defaults. The retry values (max attempts, delays, non-retryable
 * exceptions) are plain values here: the retry-dlx module reads them to replace its defaults for
 * this type; without it every failure goes straight to the dead-letter queue and they are unused.
 *
 * @param timeLimit    how long one attempt may run before its thread is interrupted and the attempt
 *                     fails as retryable, or {@code null} for no limit. Must stay below the broker's
 *                     {@code consumer_timeout} (30 min by default), or the broker closes the channel first.
 * @param maxAttempts  attempts in all, counting the first, or {@code null} for the worker's retry default
 * @param retryDelays  the broker-side delays between attempts (attempts past the end reuse the last),
 *                     or empty for the worker's retry default
 * @param nonRetryable exception types that go straight to the dead-letter queue, in addition to the
 *                     worker's; may be empty
 * @param maxAge       how old (by the task's {@code timestamp} property, set when it was first
 *                     published and kept through retries) a task may be when it is delivered; an older
 *                     one goes to the dead-letter queue as expired ({@code TaskExpiredException})
 *                     instead of running. {@code null} for no limit. A task without {@code timestamp}
 *                     (pika sets none unless told) never expires.
 */
public record TaskOptions(Duration timeLimit, Integer maxAttempts, List<Duration> retryDelays,
                          List<Class<? extends Throwable>> nonRetryable, Duration maxAge) {

    /** Most attempts a type may ask for; the same bound as the worker's retry settings. */
    public static final int MAX_ATTEMPTS_LIMIT = 1000;
    /** Longest retry delay: the broker's message TTL is a 32-bit count of milliseconds (about 24 days). */
    public static final Duration MAX_RETRY_DELAY = Duration.ofMillis(Integer.MAX_VALUE);

    /** Nothing set: the worker's defaults, no time limit, no max age. */
    public static final TaskOptions DEFAULTS = builder().build();

    public TaskOptions {
        if (timeLimit != null && !timeLimit.isPositive()) {
            throw new InvalidSettingException("task time limit must be > 0 (leave it unset for no limit), was "
                    + Durations.format(timeLimit));
        }
        if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)) {
            throw new InvalidSettingException("task max attempts must be between 1 and " + MAX_ATTEMPTS_LIMIT
                    + ", was " + maxAttempts);
        }
        retryDelays = List.copyOf(Objects.requireNonNullElse(retryDelays, List.of()));
        for (Duration delay : retryDelays) {
            if (delay.toMillis() < 1 || delay.compareTo(MAX_RETRY_DELAY) > 0) {
                throw new InvalidSettingException("task retry delays must each be between 1ms and 24d, was "
                        + Durations.format(delay));
            }
        }
        nonRetryable = List.copyOf(Objects.requireNonNullElse(nonRetryable, List.of()));
        if (maxAge != null && !maxAge.isPositive()) {
            throw new InvalidSettingException("task max age must be > 0 (leave it unset for no limit), was "
                    + Durations.format(maxAge));
        }
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options with only a time limit per attempt. */
    public static TaskOptions timeLimit(Duration limit) {
        return builder().timeLimit(limit).build();
    }

    /** True when a delivery published at {@code publishedAt} is past the max age at {@code now}. */
    public boolean expired(Instant publishedAt, Instant now) {
        return maxAge != null && publishedAt != null && publishedAt.plus(maxAge).isBefore(now);
    }

    /** Builds {@link TaskOptions}; every value is checked in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private Duration timeLimit;
        private Integer maxAttempts;
        private final List<Duration> retryDelays = new ArrayList<>();
        private final List<Class<? extends Throwable>> nonRetryable = new ArrayList<>();
        private Duration maxAge;

        private Builder() {
        }

        /** Longest run of one attempt (default: none). */
        public Builder timeLimit(Duration value) {
            this.timeLimit = value;
            return this;
        }

        /** Attempts in all, counting the first, 1 to 1000 (default: the worker's, 5 unless configured). */
        public Builder maxAttempts(int value) {
            this.maxAttempts = value;
            return this;
        }

        /** Delays between attempts, each 1 ms to 24 days (default: the worker's ladder). Replaces earlier ones. */
        public Builder retryDelays(Duration... values) {
            retryDelays.clear();
            for (Duration value : values) {
                retryDelays.add(Objects.requireNonNull(value, "task retry delays must not contain null"));
            }
            return this;
        }

        /** Delays between attempts as text, e.g. {@code "30s,5m"}. Replaces earlier ones. */
        public Builder retryDelays(String values) {
            List<Duration> parsed = new ArrayList<>();
            for (String part : Objects.requireNonNull(values, "task retry delays").split(",")) {
                try {
                    parsed.add(Durations.parse(part.trim()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidSettingException("task retry delays '" + values + "': " + e.getMessage());
                }
            }
            return retryDelays(parsed.toArray(Duration[]::new));
        }

        /** Exception types (and their subclasses) that are never retried for this type. Adds to earlier ones. */
        @SafeVarargs
        public final Builder nonRetryable(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> type : types) {
                nonRetryable.add(Objects.requireNonNull(type, "task non-retryable exceptions must not contain null"));
            }
            return this;
        }

        /** Oldest a task may be when delivered, by its {@code timestamp} (default: no limit). */
        public Builder maxAge(Duration value) {
            this.maxAge = value;
            return this;
        }

        /**
         * The options.
         *
         * @throws InvalidSettingException naming the setting, its value and what is allowed
         */
        public TaskOptions build() {
            return new TaskOptions(timeLimit, maxAttempts, retryDelays, nonRetryable, maxAge);
        }
    }
}
