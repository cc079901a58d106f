package dev.warren.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.AmqpConnections;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes task events to the stream without ever holding up a task. {@link #offer} only puts
 * the event in a bounded buffer (never blocks; a full buffer drops it); one background thread
 * publishes the buffer in batches on a connection of its own ({@code <name>-events}), so broker
 * flow control on it never reaches the task channels, with publisher confirms handled
 * asynchronously (at most {@link #WINDOW} unconfirmed). When the stream cannot be reached or is
 * refused, events are dropped and counted ({@link EventDrops}) and the thread tries again every
 * {@link #RETRY_INTERVAL}. {@link #close()} flushes for at most {@link #FLUSH_TIMEOUT}.
 *
 * <p>Thread-safe: {@link #offer} from any thread; the channel is used by the publisher thread
 * only; confirms arrive on amqp-client's threads.
 */
public final class EventPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    /** Most events published before the thread looks at confirms and the buffer again. */
    static final int BATCH = 512;
    /** Most events published and not yet confirmed. */
    static final int WINDOW = 8192;
    /** Pause between tries to reach a stream that could not be reached or was refused. */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(5);
    /** How long {@link #close()} waits for buffered events to be published and confirmed. */
    public static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(3);
    /** The role in the connection name: {@code <name>-events}. */
    static final String CONNECTION_ROLE = "events";

    private final EventsSettings settings;
    private final AmqpConnections connections;
    private final EventDrops drops;
    private final ArrayBlockingQueue<Event> buffer;
    private final Semaphore window = new Semaphore(WINDOW);
    // Sequence numbers of published events awaiting their confirm; cleared (and counted as drops) when the channel closes.
    private final ConcurrentSkipListMap<Long, Boolean> unconfirmed = new ConcurrentSkipListMap<>();
    private final Thread thread;
    private volatile boolean closing;
    // Publisher thread only.
    private Connection connection;
    private Channel channel;
    // Set by the publisher thread, and by the channel's shutdown listener when the broker closes it.
    private volatile long retryAt = System.nanoTime();
    private volatile EventDrops.Reason reasonOfLastFailure = EventDrops.Reason.UNAVAILABLE;
    private volatile String lastFailure = "not connected yet";

    public EventPublisher(EventsSettings settings, AmqpConnections connections, EventDrops drops) {
        this.settings = settings;
        this.connections = connections;
        this.drops = drops;
        this.buffer = new ArrayBlockingQueue<>(settings.bufferSize());
        this.thread = Thread.ofPlatform().daemon().name("warren-events").unstarted(this::run);
    }

    /** Starts the publisher thread; events offered before are kept in the buffer until then. Idempotent. */
    public synchronized void start() {
        if (thread.getState() == Thread.State.NEW && !closing) {
            thread.start();
        }
    }

    /** Queues {@code event} for publishing; never blocks. Returns false when it was dropped (buffer full, closed). */
    public boolean offer(Event event) {
        if (closing) {
            drops.dropped(EventDrops.Reason.SHUTDOWN, 1, "the publisher is closed");
            return false;
        }
        if (!buffer.offer(event)) {
            drops.dropped(EventDrops.Reason.BUFFER_FULL, 1, "buffer of " + settings.bufferSize() + " events is full");
            return false;
        }
        return true;
    }

    /** What was dropped so far, and why. */
    public EventDrops drops() {
        return drops;
    }

    private void run() {
        // Connect and declare at once: the stream exists for readers before the first task, and an
        // unreachable or refused stream is reported at start, not at the first task.
        if (!ready()) {
            log.debug("task events: stream '{}' not ready at start: {}", settings.stream(), lastFailure);
        }
        List<Event> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Event first = buffer.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                buffer.drainTo(batch, BATCH - 1);
                publish(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug must not stop the thread: events would pile up and be dropped forever.
                drops.dropped(EventDrops.Reason.UNAVAILABLE, batch.size(), "unexpected " + e);
                log.debug("publishing task events failed", e);
            }
            batch.clear();
        }
    }

    private void publish(List<Event> batch) throws InterruptedException {
        if (!ready()) {
            drops.dropped(reasonOfLastFailure, batch.size(), lastFailure);
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
                drops.dropped(EventDrops.Reason.UNAVAILABLE, batch.size() - i, "no confirms for 1s");
                return;
            }
            long seq = channel.getNextPublishSeqNo();
            unconfirmed.put(seq, Boolean.TRUE);
            try {
                channel.basicPublish("", settings.stream(), properties(event), EventCodec.encode(event));
            } catch (IOException | RuntimeException e) {
                if (unconfirmed.remove(seq) != null) {
                    window.release();
                }
                drops.dropped(EventDrops.Reason.UNAVAILABLE, batch.size() - i, describe(e));
                return;
            }
        }
    }

    private static AMQP.BasicProperties properties(Event event) {
        return new AMQP.BasicProperties.Builder()
                .messageId(UUID.randomUUID().toString())
                .type(event.event())
                .timestamp(Date.from(event.at()))
                .contentType(EventCodec.CONTENT_TYPE)
                .deliveryMode(2)
                .build();
    }

    /** True when a channel to the declared stream is open; opens one at most every {@link #RETRY_INTERVAL}. */
    private boolean ready() {
        if (channel != null && channel.isOpen()) {
            return true;
        }
        if (System.nanoTime() - retryAt < 0) {
            return false;
        }
        try {
            if (connection == null || !connection.isOpen()) {
                closeConnection();
                connection = connections.openSide(CONNECTION_ROLE);
            }
            Channel opened = connection.createChannel();
            opened.confirmSelect();
            opened.addConfirmListener(confirms);
            opened.addShutdownListener(this::channelClosed);
            EventStream.declare(opened, settings);
            channel = opened;
            return true;
        } catch (IOException | TimeoutException | RuntimeException e) {
            reasonOfLastFailure = refused(e) ? EventDrops.Reason.REFUSED : EventDrops.Reason.UNAVAILABLE;
            lastFailure = "stream '" + settings.stream() + "': " + describe(e);
            retryAt = System.nanoTime() + RETRY_INTERVAL.toNanos();
            log.debug("task events: cannot reach the stream; trying again in {}", RETRY_INTERVAL, e);
            return false;
        }
    }

    private final ConfirmListener confirms = new ConfirmListener() {
        @Override
        public void handleAck(long seq, boolean multiple) {
            settle(seq, multiple);
            drops.confirmed();
        }

        @Override
        public void handleNack(long seq, boolean multiple) {
            drops.dropped(EventDrops.Reason.NACKED, settle(seq, multiple), "the broker answered basic.nack");
        }
    };

    /** Forgets confirmed sequence numbers and frees their window slots; returns how many. */
    private int settle(long seq, boolean multiple) {
        int n;
        if (multiple) {
            ConcurrentNavigableMap<Long, Boolean> done = unconfirmed.headMap(seq, true);
            n = done.size();
            done.clear();
        } else {
            n = unconfirmed.remove(seq) == null ? 0 : 1;
        }
        window.release(n);
        return n;
    }

    /** The channel closed (refused, connection lost): its unconfirmed events are lost. */
    private void channelClosed(ShutdownSignalException cause) {
        int lost = unconfirmed.size();
        unconfirmed.clear();
        window.release(lost);
        if (!cause.isInitiatedByApplication()) {
            reasonOfLastFailure = refused(cause) ? EventDrops.Reason.REFUSED : EventDrops.Reason.UNAVAILABLE;
            lastFailure = "stream '" + settings.stream() + "': " + describe(cause);
            retryAt = System.nanoTime() + RETRY_INTERVAL.toNanos();
            drops.dropped(reasonOfLastFailure, lost, lastFailure);
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close
                    && (close.getReplyCode() == AMQP.ACCESS_REFUSED || close.getReplyCode() == AMQP.PRECONDITION_FAILED)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal && signal.getReason() instanceof AMQP.Channel.Close close) {
                return close.getReplyText();
            }
        }
        return AmqpConnections.describe(e);
    }

    /**
     * Stops taking events, publishes what is buffered and waits for its confirms, for at most
     * {@link #FLUSH_TIMEOUT}; what is left is dropped ({@link EventDrops.Reason#SHUTDOWN}). Then
     * closes the events connection. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        long deadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
        try {
            if (thread.isAlive()) {
                thread.join(FLUSH_TIMEOUT);
            }
            while (!unconfirmed.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        long left = buffer.size() + unconfirmed.size();
        buffer.clear();
        if (left > 0) {
            drops.dropped(EventDrops.Reason.SHUTDOWN, left, left + " events not published or confirmed within "
                    + FLUSH_TIMEOUT.toSeconds() + "s at shutdown");
        }
        closeConnection();
    }

    private void closeConnection() {
        if (connection == null) {
            return;
        }
        try {
            connection.close(1000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1000);
        }
        connection = null;
        channel = null;
    }
}
