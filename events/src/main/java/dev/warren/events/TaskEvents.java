package dev.warren.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads task events from the stream over AMQP 0-9-1: a consumer with manual acknowledgements, a
 * prefetch of {@link #PREFETCH} and the {@code x-stream-offset} argument. Reading never removes
 * an event, so any number of readers, now or after a restart, see the same history. A message
 * holds one or more events, one JSON object per line; lines that are not schema v1 events are
 * skipped (and counted).
 */
public final class TaskEvents {

    /** Unacknowledged events per reader; a stream consumer needs a prefetch. */
    static final int PREFETCH = 1000;

    private final Connection connection;
    private final String stream;
    private final AtomicLong unreadable = new AtomicLong();

    /** A reader of {@code stream} on {@code connection} (the caller's; closing the reader leaves it open). */
    public TaskEvents(Connection connection, String stream) {
        this.connection = connection;
        this.stream = stream;
    }

    /** Only the events of the task {@code messageId}. */
    public static Predicate<Event> ofTask(String messageId) {
        return event -> messageId.equals(event.messageId());
    }

    /**
     * Calls {@code sink} with every event from {@code from} on that {@code filter} accepts, in
     * stream order, on an amqp-client thread, until the returned reading is closed. Live events
     * keep coming after the history.
     *
     * @throws IOException when the stream does not exist or may not be read
     */
    public AutoCloseable follow(EventOffset from, Predicate<Event> filter, Consumer<Event> sink) throws IOException {
        Channel channel = connection.createChannel();
        try {
            channel.basicQos(PREFETCH);
            channel.basicConsume(stream, false, Map.of("x-stream-offset", from.argument()), new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    for (Event event : EventCodec.decodeAll(body, unreadable)) {
                        if (filter.test(event)) {
                            sink.accept(event);
                        }
                    }
                    // Acknowledging only moves the reader's credit on; the stream keeps the event.
                    channel.basicAck(envelope.getDeliveryTag(), false);
                }
            });
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        return () -> closeQuietly(channel);
    }

    /**
     * The events from {@code from} on that {@code filter} accepts, read until none has arrived for
     * {@code idle} (a stream has no end to read to; the history so far arrives without pauses).
     */
    public List<Event> history(EventOffset from, Predicate<Event> filter, Duration idle)
            throws IOException, InterruptedException {
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        AtomicLong lastArrival = new AtomicLong(System.nanoTime());
        Predicate<Event> counting = event -> {
            lastArrival.set(System.nanoTime());
            return filter.test(event);
        };
        try (AutoCloseable reading = follow(from, counting, events::add)) {
            while (System.nanoTime() - lastArrival.get() < idle.toNanos()) {
                Thread.sleep(Math.max(1, idle.toMillis() / 10));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("closing the reader failed", e);
        }
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Lines in the stream that were not schema v1 events, skipped so far. */
    public long unreadable() {
        return unreadable.get();
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            // The channel is gone already; nothing to release.
        }
    }
}
