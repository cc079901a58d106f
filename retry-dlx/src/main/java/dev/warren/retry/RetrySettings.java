package dev.warren.retry;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How failed tasks are retried: in process first (optional, short), then through the broker's
 * retry ladder, and dead-lettered after {@code maxAttempts}. Immutable; build with
 * {@link #custom()}, which validates at {@link Builder#build()}.
 *
 * <p>Defaults: 5 attempts, ladder {@code 1s,10s,1m,5m}, no in-process retries (a broker retry
 * survives a crash of the worker; in-process retries help with very short glitches, such as a
 * dropped HTTP connection, and are opt-in), every exception retryable except the permanent
 * failures core classifies (bad JSON, unknown type, invalid payload, {@code PermanentTaskFailure}).
 *
 * @param maxAttempts       attempts in all, counting the first; then the task is dead-lettered
 * @param ladder            broker-side delays between attempts
 * @param inProcessRetries  immediate retries inside one attempt before it counts as failed (0 = off)
 * @param inProcessBackoff  wait between in-process retries
 * @param nonRetryable      exception types that go straight to the dead-letter queue
 */
public record RetrySettings(int maxAttempts, RetryLadder ladder, int inProcessRetries, Duration inProcessBackoff,
                            List<Class<? extends Throwable>> nonRetryable) {

    /** The defaults above. */
    public static final RetrySettings DEFAULTS = custom().build();

    public RetrySettings {
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new InvalidSettingException("retry max attempts must be between 1 and 1000, was " + maxAttempts);
        }
        Objects.requireNonNull(ladder, "ladder");
        if (inProcessRetries < 0 || inProcessRetries > 10) {
            throw new InvalidSettingException("in-process retries must be between 0 and 10, was " + inProcessRetries);
        }
        if (inProcessBackoff == null || inProcessBackoff.isNegative() || inProcessBackoff.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new InvalidSettingException("in-process retry backoff must be between 0s and 30s, was "
                    + (inProcessBackoff == null ? "null" : Durations.format(inProcessBackoff)));
        }
        nonRetryable = List.copyOf(nonRetryable == null ? List.of() : nonRetryable);
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder builder = new Builder().maxAttempts(maxAttempts).ladder(ladder)
                .inProcess(inProcessRetries, inProcessBackoff);
        builder.nonRetryable.addAll(nonRetryable);
        return builder;
    }

    /** True when a failure with {@code cause} may be retried under these settings. */
    public boolean isRetryable(Throwable cause) {
        return nonRetryable.stream().noneMatch(type -> type.isInstance(cause));
    }

    /**
     * What the ladder does after attempt {@code attempt} failed with {@code cause}: dead-letter a
     * {@code permanent} failure (as core classified it) or a non-retryable exception, dead-letter
     * the last attempt, else retry after the ladder's delay for this attempt. A pure function.
     */
    public RetryDecision decide(boolean permanent, Throwable cause, int attempt) {
        if (permanent) {
            return new RetryDecision(RetryDecision.Verdict.PERMANENT, null, attempt, maxAttempts);
        }
        if (!isRetryable(cause)) {
            return new RetryDecision(RetryDecision.Verdict.NON_RETRYABLE, null, attempt, maxAttempts);
        }
        if (attempt >= maxAttempts) {
            return new RetryDecision(RetryDecision.Verdict.EXHAUSTED, null, attempt, maxAttempts);
        }
        return new RetryDecision(RetryDecision.Verdict.RETRY, ladder.delayAfter(attempt), attempt, maxAttempts);
    }

    /** Builds {@link RetrySettings}; validation happens in {@link #build()}. */
    public static final class Builder {
        private int maxAttempts = 5;
        private RetryLadder ladder = RetryLadder.DEFAULT;
        private int inProcessRetries;
        private Duration inProcessBackoff = Duration.ofMillis(100);
        private final List<Class<? extends Throwable>> nonRetryable = new ArrayList<>();

        private Builder() {
        }

        /** Attempts in all, counting the first (default 5). */
        public Builder maxAttempts(int value) {
            this.maxAttempts = value;
            return this;
        }

        /** Broker-side delays (default {@code 1s,10s,1m,5m}). */
        public Builder ladder(RetryLadder value) {
            this.ladder = value;
            return this;
        }

        /** Broker-side delays as text, e.g. {@code "200ms,400ms"}. */
        public Builder delays(String value) {
            return ladder(RetryLadder.parse(value));
        }

        /** Immediate retries within one attempt and the wait between them (default none). */
        public Builder inProcess(int retries, Duration backoff) {
            this.inProcessRetries = retries;
            this.inProcessBackoff = backoff;
            return this;
        }

        /** Exception types that are never retried. */
        @SafeVarargs
        public final Builder nonRetryable(Class<? extends Throwable>... types) {
            nonRetryable.addAll(List.of(types));
            return this;
        }

        public RetrySettings build() {
            return new RetrySettings(maxAttempts, ladder, inProcessRetries, inProcessBackoff, nonRetryable);
        }
    }
}
