package dev.warren.producer.load;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.warren.core.publish.ResultListener;
import dev.warren.core.wire.TaskCodec;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Reads results from a durable queue ({@code load --reply-queue}), so a result published while
 * this process's connection was down waits in the queue instead of being dropped, as a result
 * to a direct reply-to address of a closed channel is.
 *
 * <p>Results are acknowledged after they are counted. A result delivered again after a lost
 * connection (same result message id, marked redelivered) is not counted twice; a second result
 * message for the same task is, as a duplicate. The queue is declared durable when missing, and
 * deleted by {@link #close()} when this reader created it and it is empty. Delivery callbacks
 * run on the consuming connection's threads.
 */
final class ReplyQueueReader implements AutoCloseable {

    private final String queue;
    private final TaskCodec codec;
    private final ResultListener listener;
    private final Channel channel;
    private final boolean created;
    // Result message ids seen so far: recognizes a result the broker delivers again after a lost connection.
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private String consumerTag;

    private ReplyQueueReader(String queue, TaskCodec codec, ResultListener listener, Channel channel, boolean created) {
        this.queue = queue;
        this.codec = codec;
        this.listener = listener;
        this.channel = channel;
        this.created = created;
    }

    /** Declares {@code queue} (durable) when missing and starts passing its results to {@code listener}. */
    static ReplyQueueReader start(Connection connection, String queue, TaskCodec codec, ResultListener listener)
            throws IOException {
        boolean exists = exists(connection, queue);
        Channel channel = connection.createChannel();
        channel.queueDeclare(queue, true, false, false, null);
        channel.basicQos(500);
        ReplyQueueReader reader = new ReplyQueueReader(queue, codec, listener, channel, !exists);
        reader.consumerTag = channel.basicConsume(queue, false, reader.new Results(channel));
        return reader;
    }

    /** The queue results are sent to. */
    String queue() {
        return queue;
    }

    private static boolean exists(Connection connection, String queue) throws IOException {
        // A passive declare of a missing queue closes its channel: a throwaway one.
        Channel probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(queue);
            return true;
        } catch (IOException missing) {
            return false;
        } finally {
            if (probe.isOpen()) {
                try {
                    probe.close();
                } catch (TimeoutException | IOException | RuntimeException e) {
                    abort(probe);
                }
            }
        }
    }

    private void accept(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        String messageId = properties.getMessageId();
        boolean firstTime = messageId == null || seen.add(messageId);
        if (!firstTime && envelope.isRedeliver()) {
            return;   // counted when it first arrived; its acknowledgement was lost with a connection
        }
        try {
            listener.resultArrived(properties.getCorrelationId(), codec.readResult(body));
        } catch (IOException e) {
            listener.unreadableResult(properties.getCorrelationId(), e);
        }
    }

    /** Stops reading; deletes the queue when this reader created it and nothing is left in it. */
    @Override
    public void close() {
        try {
            if (consumerTag != null && channel.isOpen()) {
                channel.basicCancel(consumerTag);
            }
            if (created && channel.isOpen()) {
                channel.queueDelete(queue, false, true);
            }
        } catch (IOException | RuntimeException e) {
            // Not empty (a late result arrived) or the connection is gone: the durable queue stays.
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | TimeoutException | RuntimeException e) {
                    abort(channel);
                }
            }
        }
    }

    private static void abort(Channel ch) {
        try {
            ch.abort();
        } catch (IOException | RuntimeException ignored) {
            // Closing anyway.
        }
    }

    private final class Results extends DefaultConsumer {
        Results(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
            accept(envelope, properties, body);
            getChannel().basicAck(envelope.getDeliveryTag(), false);
        }
    }
}
