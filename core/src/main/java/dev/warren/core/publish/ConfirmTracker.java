package dev.warren.core.publish;

import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.core.connection.AmqpConnections;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Matches publisher confirms, nacks and returns to the futures of outstanding publishes on one
 * channel. The broker sends {@code basic.return} before the {@code basic.ack} of the same
 * message, so a return marks the publish and the following ack fails it as unroutable.
 *
 * <p>A return names no sequence number, only the message (its {@code message_id}) and where it
 * was sent. Several publishes in flight may share a {@code message_id} (identical pika messages
 * get the same derived id; a task's DLQ copy may be published twice), so a return marks the
 * oldest outstanding publish of that id to the same routing key that is not marked yet: the
 * broker returns messages in the order they were published on the channel.
 */
final class ConfirmTracker implements ConfirmListener, ReturnListener {

    /** One outstanding publish. */
    private record Pending(String messageId, String routingKey, CompletableFuture<Void> future, boolean[] returned) {
    }

    private final ConcurrentNavigableMap<Long, Pending> bySequence = new ConcurrentSkipListMap<>();
    // Outstanding sequence numbers of each message id, oldest first. Each deque is read and changed
    // only inside compute calls of this map, which hold the lock of the id's bin: the publishing
    // thread adds, the connection's thread marks returns and removes settled ones.
    private final Map<String, Deque<Long>> sequencesByMessageId = new ConcurrentHashMap<>();

    /** Registers a publish about to be sent with {@code sequence}; call with the publish lock held. */
    CompletableFuture<Void> track(long sequence, String messageId, String routingKey) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        bySequence.put(sequence, new Pending(messageId, routingKey, future, new boolean[1]));
        sequencesByMessageId.compute(messageId, (id, sequences) -> {
            Deque<Long> result = sequences == null ? new ArrayDeque<>() : sequences;
            result.addLast(sequence);
            return result;
        });
        return future;
    }

    /** Forgets a publish that never reached the wire and fails its future. */
    void abandon(long sequence, Throwable cause) {
        Pending pending = bySequence.remove(sequence);
        if (pending != null) {
            forget(pending.messageId(), sequence);
            pending.future().completeExceptionally(cause);
        }
    }

    private void forget(String messageId, long sequence) {
        sequencesByMessageId.computeIfPresent(messageId, (id, sequences) -> {
            sequences.remove(sequence);
            return sequences.isEmpty() ? null : sequences;
        });
    }

    /** Number of publishes awaiting a confirm. */
    int outstanding() {
        return bySequence.size();
    }

    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, true);
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, false);
    }

    @Override
    public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
                             AMQP.BasicProperties properties, byte[] body) {
        String messageId = properties.getMessageId();
        if (messageId == null) {
            return;
        }
        sequencesByMessageId.computeIfPresent(messageId, (id, sequences) -> {
            for (Long sequence : sequences) {
                Pending pending = bySequence.get(sequence);
                if (pending != null && !pending.returned()[0] && pending.routingKey().equals(routingKey)) {
                    pending.returned()[0] = true;
                    break;
                }
            }
            return sequences;
        });
    }

    /** Fails every outstanding publish: the channel closed before their confirms arrived. */
    void channelClosed(ShutdownSignalException cause) {
        for (Long sequence : bySequence.keySet()) {
            Pending pending = bySequence.remove(sequence);
            if (pending != null) {
                forget(pending.messageId(), sequence);
                pending.future().completeExceptionally(new PublishException(PublishException.Reason.CONNECTION_LOST,
                        "publish of message " + pending.messageId() + " to '" + pending.routingKey()
                                + "' not confirmed: channel closed (" + AmqpConnections.describe(cause) + ")", cause));
            }
        }
    }

    private void settle(long deliveryTag, boolean multiple, boolean ack) {
        Map<Long, Pending> settled = multiple ? bySequence.headMap(deliveryTag, true) : singleton(deliveryTag);
        for (Long sequence : settled.keySet()) {
            Pending pending = bySequence.remove(sequence);
            if (pending == null) {
                continue;
            }
            forget(pending.messageId(), sequence);
            if (!ack) {
                pending.future().completeExceptionally(new PublishException(PublishException.Reason.NACKED,
                        "broker refused message " + pending.messageId() + " to '" + pending.routingKey() + "' (nack)"));
            } else if (pending.returned()[0]) {
                pending.future().completeExceptionally(new PublishException(PublishException.Reason.UNROUTABLE,
                        "message " + pending.messageId() + " is unroutable: no queue '" + pending.routingKey()
                                + "' (declare it, or start a worker for it first)"));
            } else {
                pending.future().complete(null);
            }
        }
    }

    private Map<Long, Pending> singleton(long deliveryTag) {
        Pending pending = bySequence.get(deliveryTag);
        return pending == null ? Map.of() : Map.of(deliveryTag, pending);
    }
}
