package dev.warren.core.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own channel with {@code basic.qos(prefetch)}, and its watchdog.
 *
 * <p>Automatic recovery brings consumers back after a lost connection, but not after the broker
 * closes only the channel ({@code PRECONDITION_FAILED} after {@code consumer_timeout}) or cancels
 * the consumer (queue deleted, {@code basic.cancel}). Then this consumer logs why, opens a new
 * channel, re-declares the queue and consumes again, backing off 1 s doubling to 30 s while that
 * fails. Deliveries unacknowledged on the dead channel are redelivered by the broker.
 *
 * <p>Every close of the channel, including a lost connection that automatic recovery then
 * restores under the same channel object, starts a new epoch; a {@link Delivery} from an earlier
 * epoch is stale and is neither answered nor acknowledged. Tasks running when the connection was
 * lost are reported to the dispatcher as abandoned, so their redelivery is not charged as a
 * failed attempt.
 *
 * <p>After {@link #cancel()}, deliveries that were prefetched but not started are not run: they are
 * {@linkplain PutBack put back} on the queue unchanged.
 */
final class QueueConsumer {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final int index;
    private final String queue;
    private final int prefetch;
    private final Connection connection;
    private final QueueTopology topology;
    private final TaskDispatcher dispatcher;
    private final InFlight inFlight;
    private final PutBack putBack;
    private final ScheduledExecutorService watchdog;
    // Acknowledgements of put-back deliveries run here, off the publisher's confirm thread; inline
    // once the watchdog is shut down.
    private final Executor acks;
    // Set by cancel(); read on the delivery path without the lock.
    private volatile boolean cancelling;
    // Released when the broker confirms the cancel (every delivery sent before it has been handed
    // to this consumer by then: amqp-client dispatches a channel's deliveries in order), when the
    // channel closes, or at once when there was no subscription to cancel.
    private final CountDownLatch cancelled = new CountDownLatch(1);
    // Incremented by every close of a channel of this consumer, before recovery reopens it.
    private final AtomicLong epoch = new AtomicLong();
    // Deliveries being dispatched now; read when the connection is lost.
    private final Set<Delivery> running = ConcurrentHashMap.newKeySet();
    // Guarded by "this": the current subscription, replaced by the watchdog and read by stop().
    private Channel channel;
    private String consumerTag;
    private boolean stopped;
    private Duration backoff = FIRST_BACKOFF;

    QueueConsumer(int index, String queue, int prefetch, Connection connection, QueueTopology topology,
                  TaskDispatcher dispatcher, InFlight inFlight, PutBack putBack, ScheduledExecutorService watchdog) {
        this.index = index;
        this.queue = queue;
        this.prefetch = prefetch;
        this.connection = connection;
        this.topology = topology;
        this.dispatcher = dispatcher;
        this.inFlight = inFlight;
        this.putBack = putBack;
        this.watchdog = watchdog;
        this.acks = command -> {
            try {
                watchdog.execute(command);
            } catch (RejectedExecutionException stopped) {
                command.run();
            }
        };
    }

    /** Opens the channel and starts consuming; throws if the broker refuses. */
    synchronized void start() throws IOException {
        Channel ch = connection.createChannel();
        // A shutdown listener, not Consumer.handleShutdownSignal: the latter is queued behind the
        // running delivery, so a task stuck past the consumer timeout would hide the close.
        ch.addShutdownListener(signal -> channelClosed(ch, signal));
        ch.basicQos(prefetch);
        consumerTag = ch.basicConsume(queue, false, "warren-" + index + "-" + Long.toHexString(System.nanoTime()),
                new Subscription(ch));
        channel = ch;
        backoff = FIRST_BACKOFF;
    }

    /** True while this consumer is registered with the broker. */
    synchronized boolean isConsuming() {
        return !stopped && channel != null && channel.isOpen() && consumerTag != null;
    }

    /**
     * Stops new deliveries. The task running now finishes and is acknowledged; deliveries
     * prefetched but not started are put back on the queue. {@link #awaitCancelled} tells when
     * the last of them has been handed over.
     */
    synchronized void cancel() {
        stopped = true;
        cancelling = true;
        boolean sent = false;
        if (channel != null && channel.isOpen() && consumerTag != null) {
            try {
                channel.basicCancel(consumerTag);
                sent = true;
            } catch (IOException | RuntimeException e) {
                log.debug("cancel of consumer {} on '{}' failed", index, queue, e);
            }
        }
        consumerTag = null;
        if (!sent) {
            cancelled.countDown();
        }
    }

    /**
     * Waits until the broker confirmed {@link #cancel()} and every delivery received before has
     * been run or put back, or {@code timeout} passes (a task still running holds it up).
     */
    boolean awaitCancelled(Duration timeout) throws InterruptedException {
        return cancelled.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Closes the channel; unacknowledged deliveries go back to the queue. */
    synchronized void close() {
        stopped = true;
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                abort(channel);
            }
        }
    }

    private void channelClosed(Channel closed, ShutdownSignalException signal) {
        epoch.incrementAndGet();
        if (signal.isHardError() && !signal.isInitiatedByApplication()) {
            // A lost connection, not the task's doing: its redelivery must not cost it an attempt.
            running.forEach(dispatcher::abandoned);
        }
        if (signal.isInitiatedByApplication() || signal.isHardError()) {
            // Our own close, or a lost connection: automatic recovery restores the consumer.
            return;
        }
        synchronized (this) {
            if (closed != channel) {
                return;
            }
        }
        resubscribeLater("the broker closed its channel (" + reason(signal) + ")");
    }

    private synchronized void resubscribeLater(String why) {
        if (stopped) {
            return;
        }
        consumerTag = null;
        Channel dead = channel;
        channel = null;
        if (dead != null) {
            // Unregisters the dead channel from automatic recovery, so a later connection recovery
            // cannot bring back a second consumer next to the one we open now. Not inline: we may
            // be inside the dead channel's own shutdown notification.
            watchdog.execute(() -> abort(dead));
        }
        log.warn("consumer {} on '{}' stopped: {}; consuming again in {}", index, queue, why, format(backoff));
        watchdog.schedule(this::resubscribe, backoff.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void resubscribe() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            try {
                topology.declare();
                start();
                log.info("consumer {} on '{}' consuming again", index, queue);
                return;
            } catch (IOException | RuntimeException e) {
                if (e instanceof TopologyMismatchException) {
                    log.error("consumer {} on '{}' cannot consume: {}", index, queue, e.getMessage());
                }
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
                log.warn("consumer {} on '{}' could not consume again ({}); next try in {}", index, queue,
                        AmqpConnections.describe(e), format(backoff));
            }
            watchdog.schedule(this::resubscribe, backoff.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void abort(Channel ch) {
        try {
            ch.abort();
        } catch (IOException | RuntimeException e) {
            log.debug("abort of a closed channel failed", e);
        }
    }

    private static String format(Duration duration) {
        return dev.warren.core.config.Durations.format(duration);
    }

    /** The amqp-client consumer of one subscription. */
    private final class Subscription extends DefaultConsumer {

        Subscription(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            inFlight.begin();
            if (cancelling) {
                putBack.putBack(queue, getChannel(), envelope, properties, body, acks)
                        .whenComplete((ok, failure) -> inFlight.end());
                return;
            }
            Delivery delivery = new Delivery(queue, getChannel(), envelope, properties, body, epoch::get);
            running.add(delivery);
            try {
                dispatcher.dispatch(delivery);
            } catch (Throwable e) {
                // The dispatcher ends every delivery itself, so this is a bug; still, the delivery must
                // end, or with prefetch 1 this consumer would receive nothing more.
                log.error("unexpected error dispatching a delivery from '{}'; it goes back to the queue", queue, e);
                dispatcher.release(delivery);
            } finally {
                running.remove(delivery);
                inFlight.end();
            }
        }

        @Override
        public void handleCancelOk(String tag) {
            cancelled.countDown();
        }

        @Override
        public void handleCancel(String tag) {
            if (cancelling) {
                cancelled.countDown();
                return;
            }
            resubscribeLater("the broker cancelled the consumer (queue deleted, or cancelled by an operator)");
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
            // Queued behind the deliveries received before the close, like cancel-ok.
            if (cancelling) {
                cancelled.countDown();
            }
        }

    }

    private static String reason(ShutdownSignalException signal) {
        return BrokerReplies.of(signal).filter(Reply::channel).map(r -> r.code() + " " + r.text())
                .orElseGet(signal::getMessage);
    }
}
