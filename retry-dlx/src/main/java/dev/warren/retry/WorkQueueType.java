package dev.warren.retry;

import dev.warren.core.config.InvalidSettingException;
import java.util.Locale;

/**
 * How the work queue is declared. {@link #classic()} (the default) declares it durable with no
 * arguments, as {@code queue_declare(durable=True)} in pika does, so plain clients keep working.
 * {@link #quorum(int)} declares a replicated quorum queue with {@code x-delivery-limit}, which
 * dead-letters a message the broker delivered that often without an acknowledgement: the
 * broker-side guard against a task that crashes its worker process.
 *
 * @param quorum        true for {@code x-queue-type=quorum}
 * @param deliveryLimit with quorum, deliveries before the broker dead-letters to {@code <queue>.dlq}
 */
public record WorkQueueType(boolean quorum, int deliveryLimit) {

    public WorkQueueType {
        if (quorum && (deliveryLimit < 1 || deliveryLimit > 1000)) {
            throw new InvalidSettingException("delivery limit must be between 1 and 1000, was " + deliveryLimit);
        }
    }

    /** A classic durable queue without arguments. */
    public static WorkQueueType classic() {
        return new WorkQueueType(false, 0);
    }

    /** A quorum queue that dead-letters after {@code deliveryLimit} unacknowledged deliveries. */
    public static WorkQueueType quorum(int deliveryLimit) {
        return new WorkQueueType(true, deliveryLimit);
    }

    /** Reads {@code classic} or {@code quorum} ({@code WARREN_QUEUE_TYPE}). */
    public static WorkQueueType parse(String name, int deliveryLimit) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "classic" -> classic();
            case "quorum" -> quorum(deliveryLimit);
            default -> throw new InvalidSettingException("queue type must be classic or quorum, was '" + name + "'");
        };
    }
}
