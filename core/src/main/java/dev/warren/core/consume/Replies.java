package dev.warren.core.consume;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.PublishException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskMessage;
import dev.warren.core.wire.TaskResult;
import dev.warren.core.wire.TaskTooLargeException;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a task's {@link TaskResult} to its {@code reply_to} and waits for the broker's confirm,
 * so the dispatcher acknowledges a succeeded task only once its result is safe. The answer to a
 * dead-lettered task is best effort: its dead-letter copy is confirmed already, and the task must
 * not run again for the sake of its answer, so an answer the broker does not take is logged (WARN)
 * and counted ({@link WorkerStats#resultsLost()}) instead. Tasks without {@code reply_to} get no
 * reply. Called on consumer threads, concurrently; blocks up to {@link #CONFIRM_TIMEOUT_SECONDS}.
 */
final class Replies {

    private static final Logger log = LoggerFactory.getLogger(Replies.class);
    private static final long CONFIRM_TIMEOUT_SECONDS = 30;

    private final TaskCodec codec;
    private final ObjectMapper mapper;
    private final TaskPublisher publisher;
    private final WorkerStats stats;

    Replies(TaskCodec codec, ObjectMapper mapper, TaskPublisher publisher, WorkerStats stats) {
        this.codec = codec;
        this.mapper = mapper;
        this.publisher = publisher;
        this.stats = stats;
    }

    /** Sends the handler's {@code result} when the task asked for one. */
    void succeeded(TaskMessage message, Object result) throws ReplyFailedException {
        if (message.replyTo() != null) {
            send(Requester.of(message), new TaskResult(message.id(), message.type(), TaskResult.SUCCEEDED,
                    mapper.valueToTree(result), null, message.attempt()));
        }
    }

    /** Tells the requester, if there is one, that the task was dead-lettered and why; best effort. */
    void deadLettered(TaskMessage message, String reason) {
        if (message != null && message.replyTo() != null) {
            sendBestEffort(Requester.of(message), new TaskResult(message.id(), message.type(), TaskResult.DEAD_LETTERED,
                    null, reason, message.attempt()));
        }
    }

    /**
     * Tells the requester, if the properties name one, that a task whose body was over the limit was
     * dead-lettered unread: its id and type come from the {@code message_id} and {@code type}
     * properties, as the body is never decoded. Best effort, as {@link #deadLettered}.
     */
    void tooLarge(AMQP.BasicProperties properties, TaskTooLargeException cause) {
        if (properties.getReplyTo() != null) {
            String type = properties.getType() != null ? properties.getType() : TaskListener.UNKNOWN_TYPE;
            sendBestEffort(new Requester(properties.getReplyTo(), properties.getCorrelationId()),
                    new TaskResult(properties.getMessageId(), type, TaskResult.DEAD_LETTERED, null, cause.getMessage(), 1));
        }
    }

    private void sendBestEffort(Requester requester, TaskResult result) {
        try {
            send(requester, result);
        } catch (ReplyFailedException | RuntimeException e) {
            // Once per task: the delivery is acknowledged right after, so this answer is never tried again.
            stats.recordResultLost();
            log.warn("task {} ({}) was dead-lettered, but its requester on '{}' could not be told: {}; the task is"
                    + " acknowledged all the same and the answer is lost", TaskFailure.printable(result.taskId()),
                    TaskFailure.printable(result.taskType()), TaskFailure.printable(requester.replyTo()),
                    AmqpConnections.describe(e));
        }
    }

    private void send(Requester requester, TaskResult result) throws ReplyFailedException {
        // The requester matches the reply by correlation id: echo the one it set (RabbitMQ's RPC
        // tutorial sets only correlation_id), else the task's id, which Warren's publisher uses.
        String correlationId = requester.correlationId() != null ? requester.correlationId() : result.taskId();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType(TaskHeaders.CONTENT_TYPE)
                .messageId(UUID.randomUUID().toString())
                .correlationId(correlationId)
                .type(result.taskType())
                .appId(TaskHeaders.APP_ID)
                .timestamp(new Date())
                .build();
        byte[] body = codec.result(result);
        try {
            publisher.publishReply(requester.replyTo(), props, body).get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PublishException p && p.reason() == PublishException.Reason.UNROUTABLE) {
                // The requester is gone (its reply queue no longer exists): nobody can receive the result.
                log.warn("result of task {} not delivered: nobody listens on '{}' any more",
                        TaskFailure.printable(result.taskId()), TaskFailure.printable(requester.replyTo()));
                return;
            }
            throw new ReplyFailedException(e.getCause());
        } catch (TimeoutException e) {
            throw new ReplyFailedException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplyFailedException(e);
        }
    }

    /** Who asked for a task's result, and how to address the answer. */
    private record Requester(String replyTo, String correlationId) {
        static Requester of(TaskMessage message) {
            return new Requester(message.replyTo(), message.correlationId());
        }
    }

    /** The result of a task could not be confirmed: the task must not be acknowledged. */
    static final class ReplyFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        ReplyFailedException(Throwable cause) {
            super(cause == null ? "result publish failed" : AmqpConnections.describe(cause), cause);
        }
    }
}
