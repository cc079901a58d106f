package dev.warren.worker.demo;

/** Payload of {@code sleep}: how many milliseconds to sleep, at most ten minutes. */
public record Sleep(long ms) {

    public Sleep {
        if (ms < 0 || ms > 600_000) {
            throw new IllegalArgumentException("ms must be between 0 and 600000, was " + ms);
        }
    }
}
