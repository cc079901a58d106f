package dev.warren.core.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded task: what a worker knows about one delivery.
 *
 * @param id            {@code message_id}, or, when the producer set none, an id derived from the
 *                      message ({@link TaskCodec#derivedId}): the same for every delivery of it
 * @param type          the task type, from the {@code type} property or the body's {@code task_type}
 * @param payload       the JSON body, including {@code task_type} when the producer put it there
 * @param attempt       1-based attempt number from {@code x-warren-attempt}
 * @param headers       all AMQP headers, with byte strings turned into {@link String}s
 * @param replyTo       where to send the result, or {@code null}
 * @param correlationId the producer's correlation id, or {@code null}
 * @param publishedAt   the {@code timestamp} property, or {@code null}
 * @param redelivered   the broker's redelivered flag
 */
public record TaskMessage(String id, String type, ObjectNode payload, int attempt, Map<String, Object> headers,
                          String replyTo, String correlationId, Instant publishedAt, boolean redelivered) {

    public TaskMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(headers);
    }
}
