package dev.warren.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjIntConsumer;

/**
 * The messages published on one events channel and not confirmed yet, and the permits that bound
 * them ({@link EventPublisher#WINDOW}). One window per channel incarnation, never reused: when its
 * channel closes the window is {@link #close() closed}, and the publisher opens a new channel with a
 * new window, or gives a new window to the channel amqp-client recovered, swapping the listeners.
 * Whoever removes a message (its confirm or return, the publisher taking back a publish that
 * failed, the close) counts its events and frees its permit, once.
 *
 * <p>Why one per channel: with one window for every channel, the close that released the permits
 * of the unconfirmed messages and then cleared them raced the publisher thread, which could take a
 * permit and record its message in between; the clear removed it, the failed publish found nothing
 * to take back, and its permit was gone for good. After enough channel losses no permit was left
 * and every batch was dropped. Now a message recorded on a closed window after its close is taken
 * back by the publisher (its publish on the closed channel fails), and a permit lost on a closed
 * window is lost with the window, never from the next channel's.
 *
 * <p>Thread-safe: the publisher thread acquires and records; confirms and the close arrive on
 * amqp-client's threads.
 */
final class ConfirmWindow implements ConfirmListener, ReturnListener, ShutdownListener {

    /** A message awaiting its confirm: its id (a return names it) and how many events it holds. */
    private record Pending(String messageId, int events) {
    }

    private final EventDrops drops;
    private final LongAdder confirmed;
    private final ObjIntConsumer<ShutdownSignalException> onClose;
    private final Semaphore permits = new Semaphore(EventPublisher.WINDOW);
    // Sequence number -> each published message awaiting its confirm.
    private final ConcurrentSkipListMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
    private volatile boolean closed;
    private volatile boolean returned;

    /**
     * A window counting confirmed events in {@code confirmed} and nacked or returned ones in
     * {@code drops}; when its channel closes it tells {@code onClose} why and how many events were lost.
     */
    ConfirmWindow(EventDrops drops, LongAdder confirmed, ObjIntConsumer<ShutdownSignalException> onClose) {
        this.drops = drops;
        this.confirmed = confirmed;
        this.onClose = onClose;
    }

    /** Listens to {@code channel}'s confirms, returns and closing. */
    void watch(Channel channel) {
        channel.addConfirmListener(this);
        channel.addReturnListener(this);
        channel.addShutdownListener(this);
    }

    /** Stops listening to {@code channel}, for another window to take over. */
    void unwatch(Channel channel) {
        channel.removeConfirmListener(this);
        channel.removeReturnListener(this);
        channel.removeShutdownListener(this);
    }

    /** Waits up to {@code timeout} for room for one more message; false when there was none. */
    boolean acquire(long timeout, TimeUnit unit) throws InterruptedException {
        return permits.tryAcquire(timeout, unit);
    }

    /** Records the message {@code messageId} of {@code events} events about to be published as {@code seq}, after {@link #acquire}. */
    void published(long seq, String messageId, int events) {
        unconfirmed.put(seq, new Pending(messageId, events));
    }

    /**
     * Takes back the message {@code seq}, whose publish failed; true when it was still recorded
     * (then its permit is free again and the caller counts its events), false when the close took it
     * and counted it already.
     */
    boolean takeBack(long seq) {
        if (unconfirmed.remove(seq) == null) {
            return false;
        }
        permits.release();
        return true;
    }

    /** True once {@link #close()} ran: the channel closed, and this window takes no more messages. */
    boolean isClosed() {
        return closed;
    }

    /**
     * True once the broker returned a message as unroutable: the stream is gone (deleted), and the
     * publisher resets the channel so the next batch declares it again.
     */
    boolean returned() {
        return returned;
    }

    /** True when no message awaits its confirm. */
    boolean isEmpty() {
        return unconfirmed.isEmpty();
    }

    /** Events in messages not confirmed yet. */
    int events() {
        return unconfirmed.values().stream().mapToInt(Pending::events).sum();
    }

    /** The channel closed: forgets every unconfirmed message and returns how many events they held (lost). */
    int close() {
        closed = true;
        return settle(Long.MAX_VALUE, true);
    }

    @Override
    public void shutdownCompleted(ShutdownSignalException cause) {
        onClose.accept(cause, close());
    }

    @Override
    public void handleAck(long seq, boolean multiple) {
        int events = settle(seq, multiple);
        if (events > 0) {
            confirmed.add(events);
            drops.confirmed();
        }
    }

    @Override
    public void handleNack(long seq, boolean multiple) {
        drops.dropped(EventDrops.Reason.NACKED, settle(seq, multiple), "the broker answered basic.nack");
    }

    /**
     * The broker returned a mandatory message: no queue by the stream's name. Its events are dropped
     * here, and the message forgotten, so the {@code basic.ack} that follows its return (a returned
     * message is still confirmed) neither counts them again nor as confirmed.
     */
    @Override
    public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
                             AMQP.BasicProperties properties, byte[] body) {
        returned = true;
        for (Map.Entry<Long, Pending> entry : unconfirmed.entrySet()) {
            if (entry.getValue().messageId().equals(properties.getMessageId())) {
                if (unconfirmed.remove(entry.getKey()) != null) {
                    permits.release();
                    drops.dropped(EventDrops.Reason.UNROUTABLE, entry.getValue().events(), "the broker returned them ("
                            + replyText + "): no stream '" + routingKey + "'; it is declared again with the next events");
                }
                return;
            }
        }
    }

    /** Forgets settled messages and frees their permits; returns how many events they held. */
    private int settle(long seq, boolean multiple) {
        int messages = 0;
        int events = 0;
        if (multiple) {
            ConcurrentNavigableMap<Long, Pending> done = unconfirmed.headMap(seq, true);
            for (Long key : done.keySet()) {
                Pending pending = done.remove(key);
                if (pending != null) {
                    messages++;
                    events += pending.events();
                }
            }
        } else {
            Pending pending = unconfirmed.remove(seq);
            if (pending != null) {
                messages = 1;
                events = pending.events();
            }
        }
        permits.release(messages);
        return events;
    }
}
