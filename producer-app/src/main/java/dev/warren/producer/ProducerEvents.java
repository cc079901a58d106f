package dev.warren.producer;

import dev.warren.cli.EventsOptions;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.events.Event;
import dev.warren.events.EventDrops;
import dev.warren.events.EventPublisher;
import dev.warren.events.EventsSettings;
import java.time.Clock;
import java.time.Instant;

/**
 * The task events a producer-app command emits with {@code --events}: {@code published} for each
 * confirmed task, {@code replayed} for each dead letter moved back. Off, every call does nothing.
 * {@link #close()} flushes (at most {@link EventPublisher#FLUSH_TIMEOUT}).
 */
final class ProducerEvents implements AutoCloseable {

    private final EventPublisher publisher;
    private final String source;
    private final Clock clock = Clock.systemUTC();

    private ProducerEvents(EventPublisher publisher, String source) {
        this.publisher = publisher;
        this.source = source;
    }

    /** Events to the stream of {@code options} as {@code source}, if {@code --events} is on. */
    static ProducerEvents open(EventsOptions options, AmqpConnections connections, String source) {
        if (!options.enabled()) {
            return new ProducerEvents(null, source);
        }
        EventsSettings settings = options.toSettings();
        EventPublisher publisher = new EventPublisher(settings, connections, new EventDrops(settings.stream()));
        publisher.start();
        return new ProducerEvents(publisher, source);
    }

    /** The time to give {@link #published}: now, just before publishing. */
    Instant now() {
        return clock.instant();
    }

    /** Task {@code messageId} of {@code taskType}, published to {@code queue} at {@code at}, was confirmed. */
    void published(String messageId, String taskType, String queue, Instant at) {
        if (publisher != null) {
            publisher.offer(Event.published(messageId, taskType, queue, source, at));
        }
    }

    /** Dead letter {@code messageId} went back to {@code queue}. */
    void replayed(String messageId, String taskType, String queue, String from) {
        if (publisher != null) {
            publisher.offer(Event.replayed(messageId, taskType, queue, source, clock.instant(), "replayed from " + from));
        }
    }

    @Override
    public void close() {
        if (publisher != null) {
            publisher.close();
        }
    }
}
