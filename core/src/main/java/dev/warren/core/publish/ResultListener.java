package dev.warren.core.publish;

import dev.warren.core.wire.TaskResult;
import java.io.IOException;

/**
 * Hears every result message that reaches a {@link TaskPublisher}'s direct reply-to consumer,
 * one call per message: a task answered twice (a redelivered task whose worker had already
 * replied, a handler that replies itself) produces two calls with the same task id. This is what
 * the load generator counts completions, dead letters and duplicates with; {@link
 * TaskPublisher#request} instead completes once and ignores later results.
 *
 * <p>Register with {@link TaskPublisher#addResultListener}; publish with {@link
 * TaskPublisher#publishForResult} (or {@code request}) so results come back. Called on
 * amqp-client's consumer thread of the publishing connection, one message at a time per
 * publisher: must be fast, thread-safe and must not throw.
 */
public interface ResultListener {

    /**
     * A result message arrived.
     *
     * @param taskId the message's {@code correlation_id}: the task's own {@code correlation_id}
     *               when it had one, else its {@code message_id}; {@code null} when the sender
     *               of the result set none
     * @param result the decoded result
     */
    void resultArrived(String taskId, TaskResult result);

    /** A message arrived on the reply consumer whose body is not a result. Default: ignored. */
    default void unreadableResult(String taskId, IOException error) {
    }
}
