package dev.warren.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.connection.BrokerReplies;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * The stream that keeps task events: a RabbitMQ stream queue ({@code x-queue-type: stream},
 * RabbitMQ 3.9 or newer) used over AMQP 0-9-1, so the {@code rabbitmq_stream} plugin is not
 * needed. Retention by age and by size; segments are a tenth of the size limit (at most the
 * broker's default of 500 MB), since the broker deletes whole segments.
 */
public final class EventStream {

    /** Largest segment: RabbitMQ's default. */
    static final long MAX_SEGMENT_BYTES = 500_000_000L;

    private EventStream() {
    }

    /**
     * Declares the stream of {@code settings} on {@code channel} (idempotent when it exists with
     * the same arguments; a broker answers {@code PRECONDITION_FAILED} and closes the channel when
     * it exists with others, {@code ACCESS_REFUSED} when the user may not configure it).
     */
    public static void declare(Channel channel, EventsSettings settings) throws IOException {
        channel.queueDeclare(settings.stream(), true, false, false, arguments(settings));
    }

    /**
     * A channel to the stream of {@code settings} on {@code connection}: an existing stream is used
     * as it is (a passive declare, which needs no permission), whatever its retention; a missing one
     * is declared with {@code settings}' arguments ({@link #declare}). So apps started with other
     * retention flags, and tools such as the console, write to the stream the first app created.
     */
    public static Channel open(Connection connection, EventsSettings settings) throws IOException {
        boolean exists;
        Channel probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(settings.stream());
            exists = true;
            probe.abort();
        } catch (IOException e) {
            if (!notFound(e)) {
                throw e;
            }
            exists = false;     // the broker closed the probe's channel
        }
        Channel channel = connection.createChannel();
        if (!exists) {
            declare(channel, settings);
        }
        return channel;
    }

    private static boolean notFound(IOException e) {
        return BrokerReplies.of(e.getCause()).filter(r -> r.channel() && r.is(AMQP.NOT_FOUND)).isPresent();
    }

    /** The declare arguments: queue type, {@code x-max-age}, {@code x-max-length-bytes}, segment size. */
    public static Map<String, Object> arguments(EventsSettings settings) {
        return Map.of("x-queue-type", "stream",
                "x-max-age", maxAge(settings.maxAge()),
                "x-max-length-bytes", settings.maxBytes(),
                "x-stream-max-segment-size-bytes", Math.min(MAX_SEGMENT_BYTES, settings.maxBytes() / 10));
    }

    /** A duration in the broker's {@code x-max-age} syntax: {@code 7D}, {@code 12h}, {@code 90m}, {@code 45s}. */
    static String maxAge(Duration age) {
        long seconds = age.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "D";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
