package dev.warren.core.spi;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A delivery that failed: the raw message as it arrived, what was decoded of it, and why.
 *
 * @param queue      the work queue it came from
 * @param envelope   the delivery's envelope
 * @param properties the delivery's properties, unchanged
 * @param body       the delivery's body, unchanged
 * @param message    the decoded task, or {@code null} when the body could not be decoded
 * @param cause      what went wrong
 * @param permanent  true when retrying cannot help (bad JSON, unknown type, invalid payload,
 *                   {@link dev.warren.core.task.PermanentTaskFailure})
 */
public record TaskFailure(String queue, Envelope envelope, AMQP.BasicProperties properties, byte[] body,
                          TaskMessage message, Throwable cause, boolean permanent) {

    /** The attempt that failed (1 when unknown). */
    public int attempt() {
        return message == null ? 1 : message.attempt();
    }

    /** The task's id: the decoded one, else the {@code message_id} property (may be {@code null}). */
    public String messageId() {
        return message != null ? message.id() : properties.getMessageId();
    }

    /** The task type, or {@code "unknown"} when the body could not be decoded. */
    public String taskType() {
        return message == null ? TaskListener.UNKNOWN_TYPE : message.type();
    }

    /**
     * The failure reason for logs and headers: the message of the cause, or its class when it has
     * none, with control characters replaced (a producer must not be able to forge log lines).
     */
    public String reason() {
        String text = cause.getMessage();
        return printable(text == null || text.isBlank() ? cause.getClass().getName() : text);
    }

    /**
     * {@code text} with control characters (newlines, escapes) replaced by {@code ?}, for logging
     * values that come from producers, such as task types.
     */
    public static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder clean = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (clean == null) {
                    clean = new StringBuilder(text.substring(0, i));
                }
                clean.append('?');
            } else if (clean != null) {
                clean.append(c);
            }
        }
        return clean == null ? text : clean.toString();
    }

    /**
     * The properties to republish this delivery with: the original ones plus the attempt number
     * and the error headers of docs/wire-format.md ({@code x-warren-error}, {@code x-warren-error-message},
     * {@code x-warren-failed-at}, {@code x-warren-queue}). Without {@code user_id}: the broker
     * checks it against the publishing user, so a copy the worker publishes under its own user
     * with a producer's {@code user_id} would be refused, and with it the worker's publishing channel.
     */
    public AMQP.BasicProperties republishProperties(int nextAttempt, Instant failedAt) {
        return republishProperties(nextAttempt, failedAt, true, false);
    }

    /**
     * The properties of the dead-letter copy: those of {@link #republishProperties} plus
     * {@code x-warren-stack-trace}, the cause's stack trace cut to
     * {@link TaskHeaders#MAX_STACK_TRACE_BYTES}.
     */
    public AMQP.BasicProperties deadLetterProperties(int attempt, Instant failedAt) {
        return republishProperties(attempt, failedAt, true, true);
    }

    /**
     * Like {@link #republishProperties}, but without the message's own headers, and with
     * {@code x-warren-headers-dropped} saying how many were left out: for a dead-letter copy
     * when the original headers and Warren's together do not fit in one frame
     * ({@link dev.warren.core.publish.PublishException.Reason#UNENCODABLE}). The body and the
     * other properties are kept.
     */
    public AMQP.BasicProperties republishPropertiesWithoutOwnHeaders(int attempt, Instant failedAt) {
        return republishProperties(attempt, failedAt, false, true);
    }

    /**
     * The stack trace of the cause and its causes, as {@link Throwable#printStackTrace()} prints
     * it, cut to at most {@code maxBytes} bytes of UTF-8 (ending in a line that says so).
     */
    public String stackTrace(int maxBytes) {
        StringWriter text = new StringWriter();
        cause.printStackTrace(new PrintWriter(text));
        return truncateUtf8(text.toString().replace("\r", ""), maxBytes);
    }

    static String truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        String marker = "\n\t... (cut: " + bytes.length + " bytes in all)";
        int keep = Math.max(0, maxBytes - marker.getBytes(StandardCharsets.UTF_8).length);
        // Back off to the start of a UTF-8 sequence, so the cut never splits a character.
        while (keep > 0 && (bytes[keep] & 0xC0) == 0x80) {
            keep--;
        }
        return new String(bytes, 0, keep, StandardCharsets.UTF_8) + marker;
    }

    private AMQP.BasicProperties republishProperties(int nextAttempt, Instant failedAt, boolean ownHeaders,
                                                     boolean withStackTrace) {
        Map<String, Object> own = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
        Map<String, Object> headers = new HashMap<>(ownHeaders ? own : Map.of());
        if (!ownHeaders) {
            headers.put(TaskHeaders.HEADERS_DROPPED, own.size());
        }
        headers.put(TaskHeaders.ATTEMPT, nextAttempt);
        headers.put(TaskHeaders.ERROR, cause.getClass().getName());
        String text = reason();
        headers.put(TaskHeaders.ERROR_MESSAGE, text.length() > TaskHeaders.MAX_ERROR_MESSAGE_LENGTH
                ? text.substring(0, TaskHeaders.MAX_ERROR_MESSAGE_LENGTH) : text);
        headers.put(TaskHeaders.FAILED_AT, failedAt.toString());
        if (withStackTrace) {
            headers.put(TaskHeaders.STACK_TRACE, stackTrace(TaskHeaders.MAX_STACK_TRACE_BYTES));
        }
        headers.put(TaskHeaders.QUEUE, queue);
        // No expiration: a parked or delayed copy must not silently expire (the retry queue's TTL sets the delay).
        AMQP.BasicProperties.Builder builder = properties.builder().headers(headers).deliveryMode(2).userId(null)
                .expiration(null);
        if (message != null) {
            // Keep the id the worker used, so a task without message_id keeps one identity from now on.
            builder.messageId(message.id());
        }
        return builder.build();
    }
}
