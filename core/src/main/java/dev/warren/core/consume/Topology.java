package dev.warren.core.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** Declares queues, turning {@code PRECONDITION_FAILED} into a {@link TopologyMismatchException}. */
public final class Topology {

    private Topology() {
    }

    /** Declares every queue in order on a short-lived channel of {@code connection}. */
    public static void declare(Connection connection, List<QueueDeclaration> queues) throws IOException {
        for (QueueDeclaration queue : queues) {
            // A failed declare closes its channel, so each declaration gets a fresh one.
            Channel channel = connection.createChannel();
            try {
                channel.queueDeclare(queue.name(), true, false, false,
                        queue.arguments().isEmpty() ? null : new HashMap<>(queue.arguments()));
            } catch (IOException e) {
                throw mismatchOr(queue, e);
            } finally {
                closeQuietly(channel);
            }
        }
    }

    private static IOException mismatchOr(QueueDeclaration queue, IOException e) {
        if (e.getCause() instanceof ShutdownSignalException signal
                && signal.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.PRECONDITION_FAILED) {
            throw new TopologyMismatchException("queue '" + queue.name() + "' already exists with other properties than"
                    + " Warren declares (" + queue.describe() + "); the broker said: " + close.getReplyText()
                    + ". Fix: drain and delete the queue (rabbitmqctl delete_queue " + queue.name()
                    + ") so Warren can declare it, or point Warren at another queue with --queue", e);
        }
        return new IOException("declaring queue '" + queue.name() + "' failed: " + e.getMessage(), e);
    }

    private static void closeQuietly(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // The channel is gone either way; the declare's own outcome is what matters.
        }
    }
}
