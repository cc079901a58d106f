package dev.warren.core.schedule;

import com.rabbitmq.client.AMQP;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.consume.TopologyMismatchException;
import java.util.Optional;

/**
 * The broker refusing a scheduler's lease queues rather than failing to answer: {@code ACCESS_REFUSED}
 * (the user may not configure, write or read them) or {@code PRECONDITION_FAILED} (a queue of that name
 * exists with other arguments). Retrying cannot fix either; an operator must. Carries the advice
 * docs/scheduling.md ("Permissions", "Failure modes") gives, naming the queues and the broker's text.
 */
record LeaseRefusal(int replyCode, String message) {

    /** The refusal among {@code failure}'s causes: a lease channel the broker closed with 403 or 406. */
    static Optional<LeaseRefusal> of(Throwable failure, SchedulerSettings settings) {
        return BrokerReplies.all(failure)
                .filter(reply -> reply.channel() && reply.is(AMQP.ACCESS_REFUSED, AMQP.PRECONDITION_FAILED))
                .findFirst()
                .map(reply -> new LeaseRefusal(reply.code(), "the broker refused scheduler " + settings.replicaName()
                        + " its lease queue '" + settings.leaseQueue() + "': " + reply.text() + "; "
                        + advice(reply.code(), settings)));
    }

    private static String advice(int replyCode, SchedulerSettings settings) {
        String lease = settings.leaseQueue();
        String status = settings.statusQueue();
        if (replyCode == AMQP.ACCESS_REFUSED) {
            return "grant the user configure on '" + lease + "' and '" + status + "', read on '" + lease
                    + "' and write on 'amq.default' (docs/scheduling.md, \"Permissions\")";
        }
        return "a queue '" + lease + "' or '" + status + "' exists with other arguments than the scheduler declares"
                + " (quorum; the lease with x-single-active-consumer, the status with x-max-length 1): delete it"
                + " (rabbitmqctl delete_queue <name>) or rename it, or give the replicas another group with"
                + " --scheduler-group";
    }

    /**
     * The exception a refused first attempt fails starting with: a {@link BrokerUnavailableException}
     * for {@code ACCESS_REFUSED} (worker-app exits 3), a {@link TopologyMismatchException} for
     * {@code PRECONDITION_FAILED} (exits 4).
     */
    RuntimeException toException(Throwable cause) {
        return replyCode == AMQP.ACCESS_REFUSED ? new BrokerUnavailableException(message, cause)
                : new TopologyMismatchException(message, cause);
    }
}
