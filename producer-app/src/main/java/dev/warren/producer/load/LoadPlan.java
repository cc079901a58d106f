package dev.warren.producer.load;

import dev.warren.core.config.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * What one load run does; validated when built, so a bad flag fails before any connection opens.
 *
 * @param queue          the work queue
 * @param count          tasks to send, or 0 when {@code duration} bounds the run
 * @param duration       how long to send, or {@code null} when {@code count} bounds the run
 * @param rate           tasks per second in all (open loop), or 0 for as fast as confirms allow
 * @param publishers     publishing threads, each with its own channel
 * @param window         publishes awaiting a confirm at most, over all publishers
 * @param mix            which task to send n-th
 * @param awaitResults   whether tasks ask for results and the run waits for them
 * @param replyQueue     the durable queue results go to, or {@code null} for direct reply-to
 * @param resultTimeout  how long to wait for results after the last publish settled
 * @param duplicateGrace how long to keep listening for duplicates once every task is answered
 */
record LoadPlan(String queue, long count, Duration duration, double rate, int publishers, int window, TaskMix mix,
                boolean awaitResults, String replyQueue, Duration resultTimeout, Duration duplicateGrace) {

    /** Default of {@code --window}: enough to keep the broker's confirm batching busy, small enough to bound memory. */
    static final int DEFAULT_WINDOW = 1000;

    LoadPlan {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(mix, "mix");
        TaskMix.require((count > 0) != (duration != null),
                "give either --count N or --duration D (not both), was count " + count + ", duration "
                        + (duration == null ? "none" : Durations.format(duration)));
        TaskMix.require(count < ResultLedger.MAX_TASKS, "--count must be below " + ResultLedger.MAX_TASKS + ", was " + count);
        TaskMix.require(duration == null || duration.isPositive(), "--duration must be > 0");
        TaskMix.require(rate >= 0 && rate <= 10_000_000, "--rate must be between 0 (as fast as possible) and 10000000, was " + rate);
        TaskMix.require(publishers >= 1 && publishers <= 64, "--publishers must be between 1 and 64, was " + publishers);
        TaskMix.require(window >= 1 && window <= 100_000, "--window must be between 1 and 100000, was " + window);
        TaskMix.require(replyQueue == null || (awaitResults && !replyQueue.isBlank() && !replyQueue.startsWith("amq.")),
                "--reply-queue must name a queue of its own (not amq.*), was '" + replyQueue + "'");
        Objects.requireNonNull(resultTimeout, "resultTimeout");
        TaskMix.require(!resultTimeout.isNegative(), "--result-timeout must be >= 0s");
        Objects.requireNonNull(duplicateGrace, "duplicateGrace");
        TaskMix.require(!duplicateGrace.isNegative(), "--duplicate-grace must be >= 0s");
    }

    /** True when the run sends a fixed number of tasks. */
    boolean counted() {
        return count > 0;
    }
}
