package dev.warren.retry;

import com.rabbitmq.client.AMQP;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One message in a dead-letter queue, with what Warren recorded about its failure.
 *
 * @param messageId  its {@code message_id} (may be null for a message from a client that set none)
 * @param taskType   its {@code type} property, else its body's {@code task_type}, else {@code "?"}
 * @param attempts   the attempt that failed last ({@code x-warren-attempt}, 1 when absent)
 * @param error      exception class ({@code x-warren-error}), or the broker's reason when the
 *                   broker dead-lettered it (a quorum queue's delivery limit), or null
 * @param errorMessage {@code x-warren-error-message}, or null
 * @param failedAt   {@code x-warren-failed-at}, or null
 * @param sourceQueue the work queue it came from ({@code x-warren-queue}, else from {@code x-death})
 * @param properties the AMQP properties as stored
 * @param body       the body as stored; only its first bytes when it is too large to read into memory
 * @param bodyBytes  the body's size in bytes: more than {@code body.length} when only its first bytes were read
 */
public record DeadLetter(String messageId, String taskType, int attempts, String error, String errorMessage,
                         String failedAt, String sourceQueue, AMQP.BasicProperties properties, byte[] body,
                         long bodyBytes) {

    /** A light look for "task_type" without failing on bodies that are not JSON at all. */
    private static final Pattern TASK_TYPE = Pattern.compile("\"task_type\"\\s*:\\s*\"([^\"]{1,200})\"");

    /** True when {@link #body()} is the whole body, not just its first bytes. */
    public boolean isWhole() {
        return body.length == bodyBytes;
    }

    static DeadLetter of(AMQP.BasicProperties properties, byte[] body) {
        return of(properties, body, body.length);
    }

    static DeadLetter of(AMQP.BasicProperties properties, byte[] body, long bodyBytes) {
        Map<String, Object> headers = TaskCodec.plainHeaders(properties.getHeaders());
        Object attempt = headers.get(TaskHeaders.ATTEMPT);
        String error = text(headers.get(TaskHeaders.ERROR));
        String source = text(headers.get(TaskHeaders.QUEUE));
        if (headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
                && deaths.get(0) instanceof Map<?, ?> death) {
            if (error == null) {
                error = "broker: " + death.get("reason");
            }
            if (source == null) {
                source = text(death.get("queue"));
            }
        }
        return new DeadLetter(properties.getMessageId(), taskType(properties, body),
                attempt instanceof Number n ? n.intValue() : 1, error, text(headers.get(TaskHeaders.ERROR_MESSAGE)),
                text(headers.get(TaskHeaders.FAILED_AT)), source, properties, body, bodyBytes);
    }

    /** The stack trace of the final failure ({@code x-warren-stack-trace}, cut to fit a frame), or null. */
    public String stackTrace() {
        return text(TaskCodec.plainHeaders(properties.getHeaders()).get(TaskHeaders.STACK_TRACE));
    }

    /** The body as text (invalid UTF-8 is replaced). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String taskType(AMQP.BasicProperties properties, byte[] body) {
        if (properties.getType() != null) {
            return properties.getType();
        }
        String text = new String(body, StandardCharsets.UTF_8);
        Matcher m = TASK_TYPE.matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
