package dev.warren.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until told to move: {@link TaskHarness} advances it by each
 * retry delay, and a test advances it to age a task past its max age. Always UTC. Thread-safe.
 */
public final class TestClock extends Clock {

    private final AtomicReference<Instant> now;

    private TestClock(Instant start) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
    }

    /** A clock standing at {@code start}. */
    public static TestClock at(Instant start) {
        return new TestClock(start);
    }

    /** A clock standing at the current time, to the whole second (AMQP timestamps have whole seconds). */
    public static TestClock now() {
        return new TestClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    }

    /**
     * Moves the clock forward by {@code duration} and returns the new time.
     *
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public Instant advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a test clock only moves forward, was asked to move by " + duration);
        }
        return now.updateAndGet(instant -> instant.plus(duration));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** This clock: it has no other zone. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public String toString() {
        return "TestClock[" + now.get() + "]";
    }
}
