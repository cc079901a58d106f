package dev.warren.metrics;

import java.time.Duration;
import java.util.Arrays;

/** Histogram bucket bounds of Warren's timers: few enough to keep series per type low, wide enough for quantiles. */
final class Buckets {

    /** Task duration: 5 ms to 10 min. */
    static final Duration[] TASK_DURATION = millis(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000,
            60_000, 120_000, 300_000, 600_000);
    /**
     * Publish to start of handling: 0.5 s to 1 h. The AMQP {@code timestamp} property has a
     * resolution of one second, so finer buckets would only show rounding.
     */
    static final Duration[] TASK_LATENCY = millis(500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000,
            600_000, 1_800_000, 3_600_000);
    /** Publish to confirm: 1 ms to 30 s. */
    static final Duration[] PUBLISH_CONFIRM = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
            30_000);

    private Buckets() {
    }

    private static Duration[] millis(long... bounds) {
        return Arrays.stream(bounds).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }
}
