package dev.warren.core.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import java.util.function.LongSupplier;

/**
 * One delivery as its consumer received it, and whether it still belongs to a live channel.
 *
 * <p>After a lost connection, automatic recovery reopens the channel under the same object, so
 * {@link Channel#isOpen()} is true again while the delivery tags handed out before the loss are
 * void: the broker has already put those messages back on the queue, and amqp-client silently
 * drops an acknowledgement of such a tag. The consumer therefore counts the closes of its channel
 * (its epoch); a delivery received in an earlier epoch is stale.
 */
final class Delivery {

    final String queue;
    final Channel channel;
    final Envelope envelope;
    final AMQP.BasicProperties properties;
    final byte[] body;
    private final LongSupplier epoch;
    private final long receivedIn;
    // The task's id once decoded; read by the consumer's shutdown listener on another thread.
    private volatile String messageId;

    Delivery(String queue, Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body,
             LongSupplier epoch) {
        this.queue = queue;
        this.channel = channel;
        this.envelope = envelope;
        this.properties = properties;
        this.body = body;
        this.epoch = epoch;
        this.receivedIn = epoch.getAsLong();
    }

    /** True while the channel this delivery came on is open and has not closed since: its tag can be acknowledged. */
    boolean isCurrent() {
        return channel.isOpen() && epoch.getAsLong() == receivedIn;
    }

    void decoded(String id) {
        messageId = id;
    }

    /** The task's id, or {@code null} before (or without) decoding. */
    String messageId() {
        return messageId;
    }
}
