package dev.warren.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes task events to the stream without ever holding up a task. {@link #offer} only puts
 * the event in a bounded buffer (never blocks; a full buffer drops it); one background thread
 * publishes the buffer in batches on a connection of its own ({@code <name>-events}), so broker
 * flow control on it never reaches the task channels, with publisher confirms handled
 * asynchronously (at most {@link #WINDOW} messages unconfirmed). A message holds up to
 * {@link #PER_MESSAGE} events, as many as are waiting (docs/events.md: one JSON line each). When the stream cannot be reached or is
 * refused, events are dropped and counted ({@link EventDrops}) and the thread tries again every
 * {@link #RETRY_INTERVAL}. Messages are mandatory: when the stream was deleted, those the broker
 * returns are dropped and counted, and the next batch declares the stream again. {@link #close()} flushes for at most {@link #FLUSH_TIMEOUT}.
 *
 * <p>Thread-safe: {@link #offer} from any thread; the connection and channel are opened, used and
 * closed by the publisher thread only, so a close can never miss a connection being opened;
 * confirms arrive on amqp-client's threads.
 */
public final class EventPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    /** Most events taken from the buffer at once. */
    static final int BATCH = 1024;
    /**
     * Most events in one message. The broker's cost is per message far more than per byte: one
     * message per event costs a busy worker's broker about as much as the tasks themselves.
     */
    static final int PER_MESSAGE = 100;
    /** How long the thread lets events gather after publishing fewer than {@link #PER_MESSAGE}. */
    static final Duration LINGER = Duration.ofMillis(20);
    /** Most messages published and not yet confirmed. */
    static final int WINDOW = 256;
    /** Pause between tries to reach a stream that could not be reached or was refused. */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(5);
    /** How long {@link #close()} waits for buffered events to be published and confirmed. */
    public static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(3);
    /** How long {@link #close()} then waits for the publisher thread to close its connection. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** The role in the connection name: {@code <name>-events}. */
    static final String CONNECTION_ROLE = "events";

    private final EventsSettings settings;
    private final AmqpConnections connections;
    private final EventDrops drops;
    private final ArrayBlockingQueue<Event> buffer;
    private final LongAdder confirmed = new LongAdder();
    private final Thread thread;
    // Written by close() before closing, so the publisher thread sees it once it sees closing.
    private volatile long flushDeadline;
    private volatile boolean closing;
    // Publisher thread only: it alone opens and closes the connection (close() only asks it to).
    private Connection connection;
    private Channel channel;
    // The unconfirmed messages of the current channel: a new one with each channel (ConfirmWindow
    // says why).
    private ConfirmWindow window;
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

    /** Events the broker confirmed so far. */
    public long confirmed() {
        return confirmed.sum();
    }

    /** What was dropped so far, and why. */
    public EventDrops drops() {
        return drops;
    }

    private void run() {
        try {
            // Connect and declare at once: the stream exists for readers before the first task, and an
            // unreachable or refused stream is reported at start, not at the first task.
            if (!ready()) {
                log.debug("task events: stream '{}' not ready at start: {}", settings.stream(), lastFailure);
            }
            publishUntilClosed();
            while (window != null && !window.isEmpty() && !flushTimedOut()) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            // close() stopped waiting for the flush: what is left is dropped below.
        } finally {
            shutDown();
        }
    }

    private void publishUntilClosed() throws InterruptedException {
        List<Event> batch = new ArrayList<>(BATCH);
        while (!flushTimedOut()) {
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
                if (batch.size() < PER_MESSAGE && !closing) {
                    // Few events waiting: let more gather rather than wake up (and be woken) per event.
                    Thread.sleep(LINGER.toMillis());
                }
            } catch (RuntimeException e) {
                // A bug must not stop the thread: events would pile up and be dropped forever.
                drops.dropped(EventDrops.Reason.UNAVAILABLE, batch.size(), "unexpected " + e);
                log.debug("publishing task events failed", e);
            }
            batch.clear();
        }
    }

    /** True once close() was called and its flush time is over. */
    private boolean flushTimedOut() {
        return closing && System.nanoTime() - flushDeadline >= 0;
    }

    private void publish(List<Event> batch) throws InterruptedException {
        if (!ready()) {
            drops.dropped(reasonOfLastFailure, batch.size(), lastFailure);
            return;
        }
        ConfirmWindow confirms = window;
        for (int from = 0; from < batch.size(); from += PER_MESSAGE) {
            List<Event> events = batch.subList(from, Math.min(batch.size(), from + PER_MESSAGE));
            if (!confirms.acquire(1, TimeUnit.SECONDS)) {
                drops.dropped(EventDrops.Reason.UNAVAILABLE, batch.size() - from, "no confirms for 1s");
                return;
            }
            long seq = channel.getNextPublishSeqNo();
            AMQP.BasicProperties properties = properties(events);
            confirms.published(seq, properties.getMessageId(), events.size());
            try {
                // Mandatory: deleting a queue does not close the channels publishing to it, so without
                // it the broker would confirm every event sent to a deleted stream and route none.
                channel.basicPublish("", settings.stream(), true, properties, EventCodec.encode(events));
            } catch (IOException | RuntimeException e) {
                // This message's events are counted by whoever removes it: here, or the window's close.
                int lost = batch.size() - from - (confirms.takeBack(seq) ? 0 : events.size());
                drops.dropped(EventDrops.Reason.UNAVAILABLE, lost, describe(e));
                return;
            }
        }
    }

    private static AMQP.BasicProperties properties(List<Event> events) {
        return new AMQP.BasicProperties.Builder()
                .messageId(UUID.randomUUID().toString())
                .type(EventCodec.MESSAGE_TYPE)
                .timestamp(Date.from(events.get(0).at()))
                .contentType(EventCodec.CONTENT_TYPE)
                .headers(Map.of(EventCodec.COUNT_HEADER, events.size()))
                .deliveryMode(2)
                .build();
    }

    /** True when a channel to the declared stream is open; opens one at most every {@link #RETRY_INTERVAL}. */
    private boolean ready() {
        if (channel != null && channel.isOpen()) {
            if (!window.isClosed() && !window.returned()) {
                return true;
            }
            if (!window.returned()) {
                // amqp-client recovered the channel with its connection. Its window closed with the
                // old one and is never used again: the channel gets a new window, which takes over
                // its listeners. (Kept, not closed: topology recovery declares the stream through
                // it.) What was published on it between the recovery and now is lost with the old.
                drops.dropped(reasonOfLastFailure, window.close(), lastFailure);
                window.unwatch(channel);
                window = new ConfirmWindow(drops, confirmed, this::channelClosed);
                window.watch(channel);
                return true;
            }
            // The stream is gone (a message came back unroutable): a new channel declares it again,
            // at once; messages still unconfirmed went to the missing stream too.
            log.debug("task events: stream '{}' is gone; declaring it again", settings.stream());
            drops.dropped(EventDrops.Reason.UNROUTABLE, window.close(), "stream '" + settings.stream() + "' is gone");
            abort(channel);
            channel = null;
        }
        if (System.nanoTime() - retryAt < 0) {
            return false;
        }
        try {
            if (connection == null || !connection.isOpen()) {
                closeConnection();
                connection = connections.openSide(CONNECTION_ROLE);
                if (flushTimedOut()) {
                    // Connecting took longer than close() waits: this thread closes it as it ends.
                    reasonOfLastFailure = EventDrops.Reason.SHUTDOWN;
                    lastFailure = "connected after the publisher was closed";
                    return false;
                }
            }
            Channel opened = EventStream.open(connection, settings);
            opened.confirmSelect();
            window = new ConfirmWindow(drops, confirmed, this::channelClosed);
            window.watch(opened);
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

    private static void abort(Channel channel) {
        try {
            channel.abort();
        } catch (IOException | RuntimeException e) {
            log.debug("task events: aborting the channel failed", e);
        }
    }

    /** The channel closed (refused, connection lost): its unconfirmed events are lost. */
    private void channelClosed(ShutdownSignalException cause, int lost) {
        if (!cause.isInitiatedByApplication()) {
            reasonOfLastFailure = refused(cause) ? EventDrops.Reason.REFUSED : EventDrops.Reason.UNAVAILABLE;
            lastFailure = "stream '" + settings.stream() + "': " + describe(cause);
            retryAt = System.nanoTime() + RETRY_INTERVAL.toNanos();
            drops.dropped(reasonOfLastFailure, lost, lastFailure);
        }
    }

    private static boolean refused(Throwable e) {
        return BrokerReplies.all(e).anyMatch(r -> r.channel() && r.is(AMQP.ACCESS_REFUSED, AMQP.PRECONDITION_FAILED));
    }

    private static String describe(Throwable e) {
        return BrokerReplies.all(e).filter(Reply::channel).findFirst().map(Reply::text)
                .orElseGet(() -> AmqpConnections.describe(e));
    }

    /**
     * Stops taking events, publishes what is buffered and waits for its confirms, for at most
     * {@link #FLUSH_TIMEOUT}; what is left is dropped ({@link EventDrops.Reason#SHUTDOWN}). The
     * publisher thread then closes the events connection; this waits up to {@link #CLOSE_TIMEOUT}
     * more for it. A thread still connecting then (connecting is not interruptible) closes the
     * connection itself once it is open. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            flushDeadline = System.nanoTime() + FLUSH_TIMEOUT.toNanos();
            closing = true;
        }
        // start() checks closing under the same lock: a thread not started now never will be.
        if (thread.getState() == Thread.State.NEW) {
            dropLeft(0);
            return;
        }
        try {
            thread.join(FLUSH_TIMEOUT);
            if (thread.isAlive()) {
                thread.interrupt();     // waiting for room in the window, for confirms, or lingering
                thread.join(CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.debug("task events: the publisher thread is still connecting; it closes the connection once open");
        }
    }

    /** Publisher thread, last: drops what is left and closes the connection. */
    private void shutDown() {
        Thread.interrupted();   // close() may have interrupted this thread: closing the connection must not fail on it
        int unconfirmed = window == null ? 0 : window.close();
        closeConnection();
        dropLeft(unconfirmed);
    }

    /** Drops the {@code unconfirmed} events and those still buffered, as not flushed at shutdown. */
    private void dropLeft(int unconfirmed) {
        List<Event> buffered = new ArrayList<>();
        buffer.drainTo(buffered);
        int left = unconfirmed + buffered.size();
        drops.dropped(EventDrops.Reason.SHUTDOWN, left, left + " events not published or confirmed within "
                + FLUSH_TIMEOUT.toSeconds() + "s at shutdown");
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
