package dev.warren.retry;

import dev.warren.core.config.WorkerSettings;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.spi.QueueDeclaration;
import dev.warren.core.spi.QueueDeclarations;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The queues around a work queue {@code Q}: one {@code Q.retry.<delay>} per delay level used by
 * any task type ({@code x-message-ttl}, dead-lettering back to {@code Q} through the default
 * exchange), {@code Q.dlq}, and, for a quorum work queue, {@code Q} itself with
 * {@code x-queue-type=quorum}, {@code x-delivery-limit} and at-least-once dead-lettering to
 * {@code Q.dlq}.
 * The delay is in the queue's name, so a changed ladder adds queues instead of clashing.
 * docs/wire-format.md ("Queues") lists every queue with its arguments.
 *
 * <p>With a quorum work queue every companion is a quorum queue too, the retry queues with
 * at-least-once dead-lettering: a classic retry queue lives on one node, and while that node is
 * down no task can be retried (the republish is refused, the task spins until the broker's
 * delivery limit parks it without a result), and a classic queue dead-letters at most once, so
 * what expires while {@code Q} has no leader may be dropped. Quorum queues take a per-queue
 * message TTL from RabbitMQ 3.10.
 */
final class RetryTopology implements QueueDeclarations {

    private final String queue;
    private final RetryPolicies policies;
    private final WorkQueueType type;

    @Inject
    RetryTopology(WorkerSettings worker, RetryPolicies policies, WorkQueueType type) {
        this.queue = worker.queue();
        this.policies = policies;
        this.type = type;
    }

    @Override
    public List<QueueDeclaration> declarations() {
        return declarations(queue, policies, type);
    }

    static List<QueueDeclaration> declarations(String queue, RetryPolicies policies, WorkQueueType type) {
        List<QueueDeclaration> result = new ArrayList<>();
        String dlq = DeadLetterOnFailure.deadLetterQueue(queue);
        if (type.quorum()) {
            // At-least-once dead-lettering: a message past the delivery limit stays in Q until Q.dlq
            // confirms it, instead of being dropped if Q.dlq cannot take it at that moment.
            result.add(new QueueDeclaration(queue, Map.of("x-queue-type", "quorum",
                    "x-delivery-limit", type.deliveryLimit(),
                    "x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", dlq,
                    "x-dead-letter-strategy", "at-least-once",
                    "x-overflow", "reject-publish")));
            result.add(new QueueDeclaration(dlq, Map.of("x-queue-type", "quorum")));
        } else {
            result.add(QueueDeclaration.plain(dlq));
        }
        TreeSet<Duration> delays = new TreeSet<>();
        policies.all().forEach(settings -> delays.addAll(settings.ladder().delays()));
        for (Duration delay : delays) {
            Map<String, Object> arguments = new HashMap<>(Map.of(
                    "x-message-ttl", delay.toMillis(),
                    "x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", queue));
            if (type.quorum()) {
                arguments.put("x-queue-type", "quorum");
                // An expired message stays until Q confirms it, instead of being dropped while Q has no
                // leader; the broker requires reject-publish for that (inert here: no length limit).
                arguments.put("x-dead-letter-strategy", "at-least-once");
                arguments.put("x-overflow", "reject-publish");
            }
            result.add(new QueueDeclaration(RetryLadder.queueName(queue, delay), arguments));
        }
        return result;
    }
}
