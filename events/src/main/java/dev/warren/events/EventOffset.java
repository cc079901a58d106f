package dev.warren.events;

import java.time.Instant;
import java.util.Date;
import java.util.Objects;

/**
 * Where a reader starts in the stream: the {@code x-stream-offset} consumer argument.
 *
 * @param argument the argument's value: {@code "first"}, {@code "next"}, an offset, or a timestamp
 */
public record EventOffset(Object argument) {

    public EventOffset {
        Objects.requireNonNull(argument, "argument");
    }

    /** From the oldest event the stream still keeps. */
    public static EventOffset first() {
        return new EventOffset("first");
    }

    /** Only events published after the reader subscribed. */
    public static EventOffset next() {
        return new EventOffset("next");
    }

    /** From the events stored at or after {@code instant} (the broker's resolution: its chunks, about a second). */
    public static EventOffset since(Instant instant) {
        return new EventOffset(Date.from(instant));
    }

    /** From offset {@code offset} (0 is the first event ever stored). */
    public static EventOffset offset(long offset) {
        return new EventOffset(offset);
    }
}
