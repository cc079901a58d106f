package dev.warren.worker.demo;

/**
 * Payload of {@code fail}: fail the first {@code times} attempts, or each attempt with
 * probability {@code p}. Exercises retries and the dead-letter queue.
 */
public record Fail(Integer times, Double p) {

    public Fail {
        if (times != null && times < 0) {
            throw new IllegalArgumentException("times must be >= 0, was " + times);
        }
        if (p != null && (p < 0 || p > 1)) {
            throw new IllegalArgumentException("p must be between 0 and 1, was " + p);
        }
    }
}
