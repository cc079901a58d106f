package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import dev.warren.core.wire.TaskCodec;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.retry.DeadLetter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** How the console's API shows dead letters: a table row, and the detail view. */
final class DeadLetterJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetterJson() {
    }

    /** One row of the dead-letter table. */
    record Row(String id, String type, String error, String errorMessage, int attempts, String failedAt,
               String sourceQueue) {

        static Row of(DeadLetter letter) {
            return new Row(letter.messageId(), letter.taskType(), letter.error(), letter.errorMessage(),
                    letter.attempts(), letter.failedAt(), letter.sourceQueue());
        }
    }

    /**
     * One dead letter in full.
     *
     * @param properties its AMQP properties that are set
     * @param headers    its headers, without the stack trace
     * @param stackTrace {@code x-warren-stack-trace}, or null
     * @param payload    the body, pretty-printed when it is JSON
     * @param bodyBytes  the body's size; more than the payload shows when {@code whole} is false
     * @param whole      whether {@code payload} is the whole body
     */
    record Detail(Row letter, Map<String, Object> properties, Map<String, Object> headers, String stackTrace,
                  String payload, long bodyBytes, boolean whole) {

        /** For the detail view: a JSON payload pretty-printed. */
        static Detail of(DeadLetter letter) {
            return of(letter, pretty(letter));
        }

        /** For an export: the payload as stored (invalid UTF-8 replaced). */
        static Detail exported(DeadLetter letter) {
            return of(letter, letter.bodyText());
        }

        private static Detail of(DeadLetter letter, String payload) {
            Map<String, Object> headers = new TreeMap<>(TaskCodec.plainHeaders(letter.properties().getHeaders()));
            headers.remove(TaskHeaders.STACK_TRACE);
            return new Detail(Row.of(letter), shownProperties(letter.properties()), headers, letter.stackTrace(),
                    payload, letter.bodyBytes(), letter.isWhole());
        }
    }

    private static Map<String, Object> shownProperties(AMQP.BasicProperties props) {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("message_id", props.getMessageId());
        shown.put("type", props.getType());
        shown.put("content_type", props.getContentType());
        shown.put("delivery_mode", props.getDeliveryMode());
        shown.put("timestamp", props.getTimestamp() == null ? null : props.getTimestamp().toInstant().toString());
        shown.put("app_id", props.getAppId());
        shown.put("correlation_id", props.getCorrelationId());
        shown.put("reply_to", props.getReplyTo());
        shown.values().removeIf(Objects::isNull);
        return shown;
    }

    private static String pretty(DeadLetter letter) {
        String text = letter.bodyText();
        if (!letter.isWhole()) {
            return text;
        }
        try {
            JsonNode json = JSON.readTree(text);
            return json == null ? text : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (IOException e) {
            return text;
        }
    }
}
