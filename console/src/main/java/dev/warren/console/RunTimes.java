package dev.warren.console;

import java.util.Arrays;

/**
 * Run times of a task type's attempts, in milliseconds, kept whole so that percentiles are exact
 * (8 bytes an attempt: a 15-minute window of 1,000 attempts a second holds 7 MB). Not thread safe.
 */
final class RunTimes {

    private long[] values = new long[16];
    private int count;
    private boolean sorted = true;

    void add(long millis) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = millis;
        sorted = false;
    }

    int count() {
        return count;
    }

    /**
     * The nearest-rank {@code percent} percentile: the smallest run time at least that share of
     * attempts took no longer than; null without any.
     */
    Long percentile(double percent) {
        if (count == 0) {
            return null;
        }
        if (!sorted) {
            Arrays.sort(values, 0, count);
            sorted = true;
        }
        int rank = (int) Math.ceil(percent / 100.0 * count);
        return values[Math.max(0, Math.min(count, rank) - 1)];
    }
}
