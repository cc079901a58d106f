package dev.warren.core.task;

import java.time.Instant;
import java.util.Map;

/**
 * What a handler knows about the delivery it runs.
 *
 * @param messageId   the task's {@code message_id}; use it as the idempotency key
 * @param taskType    the task type
 * @param queue       the work queue it came from
 * @param attempt     1-based attempt number
 * @param redelivered whether the broker delivered it before (a previous worker may have run it)
 * @param publishedAt when the producer published it, or {@code null} if it did not say
 * @param headers     the AMQP headers
 */
public record TaskContext(String messageId, String taskType, String queue, int attempt, boolean redelivered,
                          Instant publishedAt, Map<String, Object> headers) {
}
