package dev.warren.core.consume;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import dev.warren.core.spi.QueueDeclaration;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * Declares a worker's queues on one long-lived channel, turning {@code PRECONDITION_FAILED} into
 * a {@link TopologyMismatchException}.
 *
 * <p>The channel stays open on purpose: amqp-client's topology recovery re-declares recorded
 * queues on the channel that declared them, so after a broker restart the queues come back
 * before the consumers do. Thread-safe.
 */
final class QueueTopology {

    private final Connection connection;
    private final List<QueueDeclaration> queues;
    // Guarded by "this": replaced when a failed declare closed it.
    private Channel channel;

    QueueTopology(Connection connection, List<QueueDeclaration> queues) {
        this.connection = connection;
        this.queues = List.copyOf(queues);
    }

    /** Declares every queue in order; idempotent while the broker's queues match. */
    synchronized void declare() throws IOException {
        for (QueueDeclaration queue : queues) {
            if (channel == null || !channel.isOpen()) {
                // A failed declare closes its channel, so the next attempt needs a fresh one.
                channel = connection.createChannel();
            }
            try {
                channel.queueDeclare(queue.name(), true, false, false,
                        queue.arguments().isEmpty() ? null : new HashMap<>(queue.arguments()));
            } catch (IOException e) {
                throw mismatchOr(queue, e);
            }
        }
    }

    /** The declarations, the work queue first. */
    List<QueueDeclaration> queues() {
        return queues;
    }

    synchronized void close() {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException ignored) {
                // Closing the connection next closes it anyway.
            }
        }
    }

    private static IOException mismatchOr(QueueDeclaration queue, IOException e) {
        Optional<Reply> close = BrokerReplies.of(e.getCause()).filter(Reply::channel);
        if (close.isPresent() && close.get().is(AMQP.PRECONDITION_FAILED)) {
            throw new TopologyMismatchException("queue '" + queue.name() + "' already exists with other properties than"
                    + " Warren declares (" + queue.describe() + "); the broker said: " + close.get().text()
                    + ". Fix: drain and delete the queue (rabbitmqctl delete_queue " + queue.name()
                    + ") so Warren can declare it, or point Warren at another queue with --queue", e);
        }
        String why = close.map(r -> (r.is(AMQP.ACCESS_REFUSED) ? "the broker refused access: " : "") + r.text())
                .orElseGet(() -> String.valueOf(e.getMessage()));
        return new IOException("declaring queue '" + queue.name() + "' failed: " + why, e);
    }
}
