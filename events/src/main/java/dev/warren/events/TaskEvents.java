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
    /** The consumer argument that says where to start, and the delivery header that says where a message is. */
    private static final String OFFSET = "x-stream-offset";

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
        return consume(from, PREFETCH, (offset, body, channel, tag) -> {
            pass(body, filter, sink);
            // Acknowledging only moves the reader's credit on; the stream keeps the event.
            channel.basicAck(tag, false);
        });
    }

    /**
     * Calls {@code sink} with every event from {@code from} on that {@code filter} accepts, in
     * stream order, as each arrives (on an amqp-client thread), up to the end the stream had when
     * this was called; returns then. Events written after that are not passed on (one written in
     * the same instant may be). The end is the first offset a second consumer, started at
     * {@code next} first, receives; on a stream nothing is written to, the read ends once no event
     * arrived for {@code idle} (the history arrives without pauses; time the sink spends on an
     * event does not count). Holds no events: memory stays bounded whatever the stream keeps.
     *
     * @throws IOException when the stream does not exist or may not be read
     */
    public void read(EventOffset from, Predicate<Event> filter, Duration idle, Consumer<Event> sink)
            throws IOException, InterruptedException {
        ReadBound bound = new ReadBound(idle);
        // Started first and never acknowledged: its one delivery is the first event written after this point.
        try (AutoCloseable end = consume(EventOffset.next(), 1, (offset, body, channel, tag) -> bound.endAt(offset));
             AutoCloseable reading = consume(from, PREFETCH, (offset, body, channel, tag) -> {
                 if (bound.begin(offset)) {
                     try {
                         pass(body, filter, sink);
                         channel.basicAck(tag, false);
                     } finally {
                         // Also when the sink threw (amqp-client then closes the channel): the wait must not hang.
                         bound.passed(offset);
                     }
                 }
             })) {
            bound.await();
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("closing the reader failed", e);
        }
    }

    /**
     * The events from {@code from} on that {@code filter} accepts, up to the end the stream had
     * when this was called, as {@link #read} reads them; for a selection small enough to hold,
     * such as one task's timeline.
     */
    public List<Event> history(EventOffset from, Predicate<Event> filter, Duration idle)
            throws IOException, InterruptedException {
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        read(from, filter, idle, events::add);
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Lines in the stream that were not schema v1 events, skipped so far. */
    public long unreadable() {
        return unreadable.get();
    }

    /** One delivery: its stream offset ({@link ReadBound#UNKNOWN} when the broker sent none) and body. */
    @FunctionalInterface
    private interface Delivery {
        void handle(long offset, byte[] body, Channel channel, long tag) throws IOException;
    }

    /** A consumer of the stream from {@code from} on a channel of its own; closing it closes the channel. */
    private AutoCloseable consume(EventOffset from, int prefetch, Delivery delivery) throws IOException {
        Channel channel = connection.createChannel();
        try {
            channel.basicQos(prefetch);
            channel.basicConsume(stream, false, Map.of(OFFSET, from.argument()), new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    delivery.handle(offset(properties), body, channel, envelope.getDeliveryTag());
                }
            });
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        return () -> closeQuietly(channel);
    }

    private void pass(byte[] body, Predicate<Event> filter, Consumer<Event> sink) {
        for (Event event : EventCodec.decodeAll(body, unreadable)) {
            if (filter.test(event)) {
                sink.accept(event);
            }
        }
    }

    /** The stream offset the broker puts in each delivery's {@code x-stream-offset} header. */
    private static long offset(AMQP.BasicProperties properties) {
        Object offset = properties.getHeaders() == null ? null : properties.getHeaders().get(OFFSET);
        return offset instanceof Number number ? number.longValue() : ReadBound.UNKNOWN;
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
