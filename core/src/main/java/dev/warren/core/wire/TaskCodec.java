package dev.warren.core.wire;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Converts between AMQP deliveries and {@link TaskMessage}s in the wire format of docs/wire-format.md: a
 * flat UTF-8 JSON object with {@code task_type}, published persistent to the default exchange.
 *
 * <p>Decoding accepts what a bare pika producer sends (only {@code delivery_mode=2}, no other
 * properties). Thread-safe.
 */
@Singleton
public final class TaskCodec {

    private final ObjectMapper mapper;
    private final ObjectReader treeReader;
    private final ObjectWriter writer;
    private final Clock clock;

    @Inject
    public TaskCodec(ObjectMapper mapper, Clock clock) {
        // Trailing tokens ("{...} garbage") make a body malformed, as for Python's json.loads.
        this.mapper = mapper;
        this.treeReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.writer = mapper.writer();
        this.clock = clock;
    }

    /**
     * Decodes one delivery.
     *
     * @throws MalformedTaskException when the body is not a UTF-8 JSON object with a task type,
     *                                or the attempt header is not a positive integer
     */
    public TaskMessage decode(Envelope envelope, AMQP.BasicProperties properties, byte[] body)
            throws MalformedTaskException {
        String encoding = properties.getContentEncoding();
        if (encoding != null && !encoding.isBlank()
                && !List.of("utf-8", "utf8", "identity").contains(encoding.toLowerCase(Locale.ROOT))) {
            throw new MalformedTaskException("unsupported content_encoding '" + encoding + "'");
        }
        ObjectNode payload = parseObject(body);
        String type = properties.getType();
        if (type == null || type.isBlank()) {
            JsonNode field = payload.get(TaskHeaders.TASK_TYPE_FIELD);
            if (field == null || field.isNull()) {
                throw new MalformedTaskException("no task type: neither the 'type' property nor a 'task_type' field is set");
            }
            if (!field.isTextual() || field.asText().isBlank()) {
                throw new MalformedTaskException("'task_type' must be a non-empty string, was " + field);
            }
            type = field.asText();
        }
        Map<String, Object> headers = plainHeaders(properties.getHeaders());
        int attempt = attempt(headers.get(TaskHeaders.ATTEMPT));
        String id = properties.getMessageId();
        if (id == null || id.isBlank()) {
            id = derivedId(properties, body);
        }
        Date timestamp = properties.getTimestamp();
        return new TaskMessage(id, type, payload, attempt, headers, properties.getReplyTo(),
                properties.getCorrelationId(), timestamp == null ? null : timestamp.toInstant(),
                envelope != null && envelope.isRedeliver());
    }

    /**
     * The id of a message that has no {@code message_id}: a UUID computed from its body and its
     * properties (type, timestamp, correlation id, reply-to, and the producer's own headers, not
     * those starting with {@code x-}), so every delivery of the same message gets the same id.
     * Warren puts it on every copy it makes (retries, the dead-letter copy, replays), so it stays
     * the task's idempotency key for the task's whole life. Two messages identical in body and
     * those properties get the same id: a producer that sends such twins on purpose must set
     * {@code message_id} to tell them apart.
     */
    public static String derivedId(AMQP.BasicProperties properties, byte[] body) {
        MessageDigest digest = sha256();
        digest.update(body == null ? new byte[0] : body);
        StringBuilder identity = new StringBuilder();
        identity.append('\0').append(properties.getType())
                .append('\0').append(properties.getTimestamp() == null ? null : properties.getTimestamp().getTime())
                .append('\0').append(properties.getCorrelationId())
                .append('\0').append(properties.getReplyTo())
                .append('\0').append(canonical(ownHeaders(properties.getHeaders())));
        digest.update(identity.toString().getBytes(StandardCharsets.UTF_8));
        ByteBuffer hash = ByteBuffer.wrap(digest.digest());
        long high = (hash.getLong() & ~0xF000L) | 0x8000L;                   // version 8: custom
        long low = (hash.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        return new UUID(high, low).toString();
    }

    private static Map<String, Object> ownHeaders(Map<String, Object> headers) {
        Map<String, Object> own = new TreeMap<>();
        if (headers != null) {
            headers.forEach((key, value) -> {
                if (!key.regionMatches(true, 0, "x-", 0, 2)) {
                    own.put(key, value);
                }
            });
        }
        return own;
    }

    /** A text form of a header value that does not depend on map order or byte-string types. */
    private static String canonical(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder text = new StringBuilder("{");
            new TreeMap<>(plainHeaders(castMap(map))).forEach((k, v) -> text.append(k).append('=').append(canonical(v)).append(','));
            return text.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder text = new StringBuilder("[");
            list.forEach(v -> text.append(canonical(v)).append(','));
            return text.append(']').toString();
        }
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        return String.valueOf(plainValue(value));
    }

    private static Map<String, Object> castMap(Map<?, ?> map) {
        Map<String, Object> result = new HashMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Properties of a new task: persistent, JSON, with id, type, timestamp and app id. */
    public AMQP.BasicProperties properties(String taskId, String taskType, Map<String, Object> headers,
                                           String replyTo, String correlationId) {
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType(TaskHeaders.CONTENT_TYPE)
                .messageId(taskId)
                .type(taskType)
                .timestamp(Date.from(clock.instant()))
                .appId(TaskHeaders.APP_ID)
                .headers(headers == null || headers.isEmpty() ? null : headers)
                .replyTo(replyTo)
                .correlationId(correlationId)
                .build();
    }

    /**
     * The body of a new task: {@code task_type} first, then the payload's fields (a
     * {@code task_type} field already in the payload is replaced).
     */
    public byte[] body(String taskType, JsonNode payload) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put(TaskHeaders.TASK_TYPE_FIELD, taskType);
        if (payload != null && payload.isObject()) {
            payload.properties().forEach(entry -> {
                if (!TaskHeaders.TASK_TYPE_FIELD.equals(entry.getKey())) {
                    body.set(entry.getKey(), entry.getValue());
                }
            });
        } else if (payload != null && !payload.isNull()) {
            throw new IllegalArgumentException("a task payload must be a JSON object, was " + payload.getNodeType());
        }
        return write(body);
    }

    /**
     * The JSON fields of a typed payload (a record), with the wire format's snake_case names: what
     * {@link #body} puts after {@code task_type}.
     *
     * @throws IllegalArgumentException when {@code payload} does not serialize to a JSON object
     */
    public ObjectNode payload(String taskType, Object payload) {
        JsonNode tree;
        try {
            tree = mapper.valueToTree(payload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot serialize the payload of task type '" + taskType + "' ("
                    + payload.getClass().getName() + "): " + e.getMessage(), e);
        }
        if (tree instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalArgumentException("the payload of task type '" + taskType + "' must serialize to a JSON object,"
                + " was " + (tree == null ? "null" : tree.getNodeType().name().toLowerCase(Locale.ROOT)));
    }

    /**
     * Converts a result's JSON to {@code type}; {@code null} for {@link Void} or a JSON null.
     *
     * @throws IllegalArgumentException when the JSON does not fit {@code type}
     */
    public Object resultValue(JsonNode result, Type type) {
        if (type == Void.class || result == null || result.isNull()) {
            return null;
        }
        return mapper.convertValue(result, mapper.getTypeFactory().constructType(type));
    }

    /** Serializes a result message. */
    public byte[] result(TaskResult result) {
        return write(result);
    }

    /** Parses a result message. */
    public TaskResult readResult(byte[] body) throws IOException {
        return treeReader.forType(TaskResult.class).readValue(body);
    }

    private byte[] write(Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot serialize " + value.getClass().getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private ObjectNode parseObject(byte[] body) throws MalformedTaskException {
        if (body == null || body.length == 0) {
            throw new MalformedTaskException("empty body: a task is a JSON object");
        }
        // Hot path: bytes 0x01-0x7F are valid UTF-8, carry no byte order mark and no zero byte from
        // which Jackson could detect UTF-16/32, so they parse as they are, without a decoded copy.
        boolean plainAscii = isPlainAscii(body);
        String text = null;
        if (!plainAscii) {
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new MalformedTaskException("body is not valid UTF-8", e);
            }
            // Parse the decoded text, not the bytes: from bytes Jackson detects UTF-16 and UTF-32, whose
            // ASCII-only bodies are valid UTF-8 too. A leading byte order mark is ignored, as RFC 8259 allows.
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        JsonNode node;
        try {
            node = plainAscii ? treeReader.readTree(body) : treeReader.readTree(text);
        } catch (IOException e) {
            throw new MalformedTaskException("body is not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (node == null || !node.isObject()) {
            throw new MalformedTaskException("body must be a JSON object, was "
                    + (node == null ? "empty" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    /** True when every byte is in 0x01-0x7F: ASCII without NUL. */
    private static boolean isPlainAscii(byte[] body) {
        for (byte b : body) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }

    private static int attempt(Object header) throws MalformedTaskException {
        if (header == null) {
            return 1;
        }
        if (header instanceof Number number && number.longValue() >= 1 && number.longValue() <= Integer.MAX_VALUE
                && number.doubleValue() == number.longValue()) {
            return number.intValue();
        }
        throw new MalformedTaskException(TaskHeaders.ATTEMPT + " must be an integer >= 1, was '" + header + "'");
    }

    /** AMQP headers with {@link LongString} values turned into Java strings, recursively for lists and tables. */
    public static Map<String, Object> plainHeaders(Map<String, Object> headers) {
        if (headers == null || headers.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> plain = new HashMap<>(headers.size());
        headers.forEach((key, value) -> plain.put(key, plainValue(value)));
        return plain;
    }

    private static Object plainValue(Object value) {
        if (value instanceof LongString longString) {
            return longString.toString();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(TaskCodec::plainValue).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> plain = new HashMap<>();
            map.forEach((k, v) -> plain.put(String.valueOf(k), plainValue(v)));
            return plain;
        }
        return value;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
