package dev.warren.core.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A task to publish.
 *
 * @param id            message id (a new UUID by default); the handler's idempotency key
 * @param type          task type
 * @param payload       the task's fields (a JSON object, {@code task_type} is added)
 * @param queue         the queue, or {@code null} to use the {@link RouteTable}
 * @param headers       extra AMQP headers, may be empty
 * @param replyTo       where the worker sends the result, or {@code null}
 * @param correlationId correlation id for the result, or {@code null}
 */
public record OutgoingTask(String id, String type, ObjectNode payload, String queue, Map<String, Object> headers,
                           String replyTo, String correlationId) {

    public OutgoingTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        if (type.isBlank()) {
            throw new IllegalArgumentException("task type must not be blank");
        }
        Objects.requireNonNull(payload, "payload");
        headers = Map.copyOf(headers == null ? Map.of() : headers);
    }

    /** A task of {@code type} with a fresh id, routed by the route table. */
    public static OutgoingTask of(String type, ObjectNode payload) {
        return new OutgoingTask(UUID.randomUUID().toString(), type, payload, null, Map.of(), null, null);
    }

    /** The same task sent to {@code queue}. */
    public OutgoingTask toQueue(String target) {
        return new OutgoingTask(id, type, payload, target, headers, replyTo, correlationId);
    }

    /** The same task asking for its result at {@code address}. */
    public OutgoingTask replyTo(String address) {
        return new OutgoingTask(id, type, payload, queue, headers, address, correlationId);
    }

    /** The same task with another id. */
    public OutgoingTask withId(String newId) {
        return new OutgoingTask(newId, type, payload, queue, headers, replyTo, correlationId);
    }
}
