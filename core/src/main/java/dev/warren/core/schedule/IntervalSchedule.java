package dev.warren.core.schedule;

import dev.warren.core.config.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** A fixed interval, due at every multiple of it since the epoch. */
record IntervalSchedule(Duration interval) implements Schedule {

    IntervalSchedule {
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("schedule interval must be at least 1s, was " + interval);
        }
    }

    @Override
    public Instant nextAfter(Instant after) {
        long step = interval.toMillis();
        long millis = after.toEpochMilli();
        // Instants inside a millisecond count as that millisecond: floorDiv keeps "strictly after".
        long next = (Math.floorDiv(millis, step) + 1) * step;
        return Instant.ofEpochMilli(next);
    }

    @Override
    public String describe() {
        return "every " + Durations.format(interval);
    }

    @Override
    public String toString() {
        return describe();
    }
}
