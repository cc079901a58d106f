package dev.warren.core.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.spi.PublishListener;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one publishing channel of a {@link TaskPublisher}: opens it in confirm mode, pairs each
 * {@code basic.publish} with its confirm ({@link ConfirmTracker}), reports outcomes to the
 * {@link PublishListener}s, replaces the channel when the broker closed it alone, and hosts the
 * direct reply-to consumer (which must live on the publishing channel).
 *
 * <p>Thread-safe: publishes are serialized on {@code publishLock}.
 */
final class PublishChannel {

    private static final Logger log = LoggerFactory.getLogger(PublishChannel.class);
    /** RabbitMQ's direct reply-to pseudo-queue: results come back without a reply queue. */
    static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";

    /** One basic.publish of a body held in some form. */
    @FunctionalInterface
    interface BodyPublish {
        void publish(Channel channel, AMQP.BasicProperties properties) throws IOException;
    }

    private final AmqpConnections connections;
    private final Set<PublishListener> listeners;
    // Guards channel creation and the pairing of getNextPublishSeqNo() with basicPublish():
    // another thread publishing in between would take the sequence number we registered.
    private final Object publishLock = new Object();
    // One per channel, replaced with it (sequence numbers start again at 1 on a new channel); written
    // under publishLock, volatile for outstandingConfirms().
    private volatile ConfirmTracker confirms = new ConfirmTracker();
    private Channel channel;
    private boolean replyConsumerStarted;

    PublishChannel(AmqpConnections connections, Set<PublishListener> listeners) {
        this.connections = connections;
        this.listeners = listeners;
    }

    /**
     * Publishes with {@code send}, confirmed; fills a missing {@code message_id} with a new UUID,
     * which the confirm tracking needs. {@code routingKey} names the destination in errors and reports.
     */
    CompletableFuture<Void> publish(String routingKey, AMQP.BasicProperties properties, BodyPublish send) {
        AMQP.BasicProperties props = properties.getMessageId() == null
                ? properties.builder().messageId(UUID.randomUUID().toString()).build()
                : properties;
        synchronized (publishLock) {
            long sequence;
            Channel ch;
            try {
                ch = channel();
                sequence = ch.getNextPublishSeqNo();
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(new PublishException(PublishException.Reason.CONNECTION_LOST,
                        "cannot publish message " + props.getMessageId() + " to '" + routingKey + "': "
                                + AmqpConnections.describe(e), e));
            }
            CompletableFuture<Void> confirmed = confirms.track(sequence, props.getMessageId(), routingKey);
            try {
                send.publish(ch, props);
            } catch (IOException | RuntimeException e) {
                // amqp-client throws IllegalArgumentException for what it cannot encode; a closed
                // channel or connection shows as a ShutdownSignalException (also a RuntimeException).
                PublishException.Reason reason = e instanceof IllegalArgumentException
                        ? PublishException.Reason.UNENCODABLE : PublishException.Reason.CONNECTION_LOST;
                confirms.abandon(sequence, new PublishException(reason,
                        "cannot publish message " + props.getMessageId() + " to '" + routingKey + "': "
                                + AmqpConnections.describe(e), e));
                if (e instanceof RuntimeException && ch.getNextPublishSeqNo() > sequence) {
                    // amqp-client counted a publish it then failed to encode (headers over the frame
                    // size, a short string over 255 bytes) and never sent: from now on the broker's
                    // confirms would settle the wrong messages. Start over on a new channel; the old
                    // one's unconfirmed publishes fail, so their callers retry them (no loss).
                    discard(ch);
                }
            }
            if (!listeners.isEmpty()) {
                report(confirmed, routingKey, props.getType(), System.nanoTime());
            }
            return confirmed;
        }
    }

    /** Publishes awaiting a confirm right now. */
    int outstandingConfirms() {
        return confirms.outstanding();
    }

    /**
     * Starts consuming direct reply-to on the publishing channel, passing each message's
     * correlation id and body to {@code onReply}; does nothing when already started on this channel.
     */
    void consumeReplies(BiConsumer<String, byte[]> onReply) throws IOException {
        synchronized (publishLock) {
            if (replyConsumerStarted) {
                return;
            }
            Channel ch = channel();
            ch.basicConsume(DIRECT_REPLY_TO, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    onReply.accept(properties.getCorrelationId(), body);
                }
            });
            replyConsumerStarted = true;
        }
    }

    private void report(CompletableFuture<Void> confirmed, String routingKey, String type, long started) {
        String taskType = type == null ? "unknown" : type;
        confirmed.whenComplete((ok, error) -> {
            PublishListener.Result result = error == null ? PublishListener.Result.CONFIRMED
                    : error instanceof PublishException p ? switch (p.reason()) {
                        case NACKED -> PublishListener.Result.NACKED;
                        case UNROUTABLE -> PublishListener.Result.RETURNED;
                        default -> PublishListener.Result.FAILED;
                    } : PublishListener.Result.FAILED;
            Duration latency = Duration.ofNanos(System.nanoTime() - started);
            for (PublishListener listener : listeners) {
                listener.published(routingKey, taskType, result, latency);
            }
        });
    }

    private Channel channel() throws IOException {
        // Called with publishLock held.
        if (channel != null && closedByBroker(channel)) {
            // The broker closed this channel alone (a channel error, such as ACCESS_REFUSED for a
            // missing permission). Automatic recovery reopens only the channels of a lost connection,
            // so without a new one every later publish would fail. The old tracker fails the old
            // channel's publishes; results for requests made on it can no longer arrive.
            log.warn("publishing channel closed by the broker ({}); opening a new one",
                    AmqpConnections.describe(channel.getCloseReason()));
            channel = null;
            replyConsumerStarted = false;
        }
        if (channel == null) {
            Channel created = connections.publishing().createChannel();
            ConfirmTracker tracker = new ConfirmTracker();
            created.confirmSelect();
            created.addConfirmListener(tracker);
            created.addReturnListener(tracker);
            created.addShutdownListener(tracker::channelClosed);
            channel = created;
            confirms = tracker;
        }
        return channel;
    }

    /** Stops publishing on {@code ch}; the next publish opens a new channel. Called with publishLock held. */
    private void discard(Channel ch) {
        channel = null;
        replyConsumerStarted = false;
        try {
            ch.abort();
        } catch (IOException | RuntimeException e) {
            log.debug("aborting a discarded publishing channel failed", e);
        }
    }

    /** True when the broker closed just this channel (not its connection, not this app). */
    private static boolean closedByBroker(Channel channel) {
        ShutdownSignalException reason = channel.getCloseReason();
        return !channel.isOpen() && reason != null && !reason.isHardError() && !reason.isInitiatedByApplication();
    }
}
