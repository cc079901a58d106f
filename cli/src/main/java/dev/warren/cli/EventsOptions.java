package dev.warren.cli;

import dev.warren.core.config.InvalidSettingException;
import dev.warren.events.EventsModule;
import dev.warren.events.EventsSettings;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Flags of task events (docs/events.md): whether an app publishes them, to which stream, and the
 * stream's retention. Off unless {@code --events} (or {@code WARREN_EVENTS=true}).
 */
public final class EventsOptions {

    @Option(names = "--events", defaultValue = "${env:WARREN_EVENTS:-false}",
            description = "Publish task events (received, started, succeeded, failed, retried, dead_lettered, ...) to"
                    + " a RabbitMQ stream, for producer-app events and other readers; a stream that cannot be reached"
                    + " never slows or fails a task, its events are dropped and counted (env WARREN_EVENTS;"
                    + " default ${DEFAULT-VALUE}).")
    boolean enabled;

    @Mixin
    EventStreamOption stream;

    @Option(names = "--events-max-age", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_EVENTS_MAX_AGE:-7d}",
            description = "How long the stream keeps events, x-max-age, in whole seconds (env WARREN_EVENTS_MAX_AGE;"
                    + " default ${DEFAULT-VALUE}).")
    Duration maxAge;

    @Option(names = "--events-max-bytes", paramLabel = "BYTES",
            defaultValue = "${env:WARREN_EVENTS_MAX_BYTES:-1000000000}",
            description = "Most bytes the stream keeps, x-max-length-bytes; the oldest events go first"
                    + " (env WARREN_EVENTS_MAX_BYTES; default ${DEFAULT-VALUE}).")
    long maxBytes;

    /** True with {@code --events}. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * The settings these flags describe.
     *
     * @throws InvalidSettingException naming the flag whose value is not allowed
     */
    public EventsSettings toSettings() {
        return new EventsSettings(stream.stream(), maxAge, maxBytes, EventsSettings.DEFAULT_BUFFER_SIZE);
    }

    /** The events module emitting as {@code source}, when {@code --events} is on. */
    public Optional<EventsModule> module(String source) {
        return enabled ? Optional.of(new EventsModule(toSettings(), source)) : Optional.empty();
    }
}
