package dev.warren.events;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;
import java.util.Objects;

/**
 * Where task events go and how long the broker keeps them.
 *
 * @param stream     the stream's name (default {@value #DEFAULT_STREAM})
 * @param maxAge     the stream's retention by age, {@code x-max-age} (default 7 days; whole seconds)
 * @param maxBytes   the stream's retention by size, {@code x-max-length-bytes} (default 1 GB)
 * @param bufferSize events a worker holds in memory while they wait to be published; more are
 *                   dropped and counted (default {@value #DEFAULT_BUFFER_SIZE})
 */
public record EventsSettings(String stream, Duration maxAge, long maxBytes, int bufferSize) {

    /** The default stream name. */
    public static final String DEFAULT_STREAM = "warren.events";
    /** The default retention by age: 7 days. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    /** The default retention by size: 1 GB. */
    public static final long DEFAULT_MAX_BYTES = 1_000_000_000L;
    /** The default in-memory buffer, in events. */
    public static final int DEFAULT_BUFFER_SIZE = 65_536;
    /** The smallest size retention accepted: 1 MB. */
    static final long MIN_MAX_BYTES = 1_000_000L;

    public EventsSettings {
        Objects.requireNonNull(stream, "stream");
        if (stream.isBlank() || stream.length() > 200 || stream.startsWith("amq.")) {
            throw new InvalidSettingException("events stream (--events-stream) must be a non-empty name of at most 200 characters not"
                    + " starting with 'amq.', was '" + stream + "'");
        }
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.toSeconds() < 1 || maxAge.toNanos() % 1_000_000_000L != 0) {
            throw new InvalidSettingException("events max age (--events-max-age) must be whole seconds, at least 1s, was "
                    + Durations.format(maxAge));
        }
        if (maxBytes < MIN_MAX_BYTES) {
            throw new InvalidSettingException("events max bytes (--events-max-bytes) must be >= " + MIN_MAX_BYTES + ", was " + maxBytes);
        }
        if (bufferSize < 1 || bufferSize > 10_000_000) {
            throw new InvalidSettingException("events buffer size must be between 1 and 10000000, was " + bufferSize);
        }
    }

    /** The defaults: stream {@value #DEFAULT_STREAM}, 7 days, 1 GB. */
    public static EventsSettings defaults() {
        return new EventsSettings(DEFAULT_STREAM, DEFAULT_MAX_AGE, DEFAULT_MAX_BYTES, DEFAULT_BUFFER_SIZE);
    }

    /** These settings for another stream. */
    public EventsSettings withStream(String value) {
        return new EventsSettings(value, maxAge, maxBytes, bufferSize);
    }

    /** These settings with another buffer size. */
    public EventsSettings withBufferSize(int value) {
        return new EventsSettings(stream, maxAge, maxBytes, value);
    }
}
