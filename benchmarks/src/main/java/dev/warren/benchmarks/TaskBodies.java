package dev.warren.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.UUID;
import com.rabbitmq.client.AMQP;
import dev.warren.core.task.TaskType;

/**
 * The benchmark's task: a {@code noop} with a sequence number and a padding field that brings
 * the JSON body to about {@code bodyBytes}, e.g. {@code {"task_type":"noop","n":12,"padding":"xx.."}}.
 * Every side sends the same body and the same properties (persistent, JSON, message id, type,
 * timestamp, app id), so the broker does the same work for each; the typed side sends a
 * {@link NoopPayload} record that serializes to the same JSON. Thread-safe.
 */
final class TaskBodies {

    static final String TYPE = "noop";
    /** The benchmark's task type as a typed producer declares it. */
    static final TaskType<NoopPayload, Void> NOOP = TaskType.of(TYPE, NoopPayload.class);
    private static final String RAW_APP_ID = "warren-bench-raw";

    private final ObjectMapper mapper;
    private final ObjectWriter writer;
    private final String padding;

    TaskBodies(ObjectMapper mapper, int bodyBytes) {
        this.mapper = mapper;
        this.writer = mapper.writer();
        // {"task_type":"noop","n":1000000,"padding":""} is 46 bytes; n has 7 digits in a long run.
        int fixed = ("{\"task_type\":\"" + TYPE + "\",\"n\":1000000,\"padding\":\"\"}").getBytes(StandardCharsets.UTF_8).length;
        this.padding = "x".repeat(Math.max(0, bodyBytes - fixed));
    }

    /** The payload Warren publishes (its codec adds {@code task_type}). */
    ObjectNode payload(long n) {
        return mapper.createObjectNode().put("n", n).put("padding", padding);
    }

    /** The typed payload: the same fields as {@link #payload}, in the same order. */
    NoopPayload typedPayload(long n) {
        return new NoopPayload(n, padding);
    }

    /** The whole body, serialized as a hand-written producer would: one reused Jackson writer. */
    byte[] rawBody(long n) {
        ObjectNode body = mapper.createObjectNode().put("task_type", TYPE).put("n", n).put("padding", padding);
        try {
            return writer.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The properties a careful hand-written producer sets: the same as Warren's wire format. */
    static AMQP.BasicProperties rawProperties() {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json")
                .messageId(UUID.randomUUID().toString()).type(TYPE).timestamp(new Date()).appId(RAW_APP_ID).build();
    }

    /**
     * The typed side's payload record: {@code {"n":12,"padding":"xx.."}} on the wire.
     *
     * @param n       sequence number
     * @param padding brings the body to about the configured size
     */
    record NoopPayload(long n, String padding) {
    }
}
