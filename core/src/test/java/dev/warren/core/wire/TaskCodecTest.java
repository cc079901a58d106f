package dev.warren.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.warren.core.CoreModule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskCodecTest {

    private final TaskCodec codec = new TaskCodec(CoreModule.newObjectMapper(),
            Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
    private final Envelope envelope = new Envelope(1, false, "", "task_queue");

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesABarePikaMessageWithOnlyDeliveryMode() throws Exception {
        AMQP.BasicProperties pika = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        TaskMessage task = codec.decode(envelope, pika, utf8(
                "{\"task_type\": \"send_welcome_email\", \"user_id\": 123, \"email\": \"user@example.com\","
                        + " \"user_name\": \"John Doe\"}"));
        assertThat(task.type()).isEqualTo("send_welcome_email");
        assertThat(task.attempt()).isEqualTo(1);
        assertThat(task.id()).isNotBlank();
        assertThat(task.payload().get("user_id").asLong()).isEqualTo(123);
        assertThat(task.replyTo()).isNull();
        assertThat(task.publishedAt()).isNull();
    }

    @Test
    void aMessageWithoutMessageIdGetsTheSameIdOnEveryDeliveryAndItsTwinWithOtherContentAnother() throws Exception {
        AMQP.BasicProperties pika = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .headers(Map.of("tenant", LongStringHelper.asLongString("acme"))).build();
        byte[] body = utf8("{\"task_type\": \"noop\", \"n\": 1}");
        TaskMessage first = codec.decode(envelope, pika, body);
        // A redelivery: same bytes and properties, the broker's flag set; Warren's and the broker's x- headers added.
        AMQP.BasicProperties again = pika.builder().headers(Map.of("tenant", LongStringHelper.asLongString("acme"),
                "x-delivery-count", 1, TaskHeaders.ATTEMPT, 1)).build();
        TaskMessage redelivered = codec.decode(new Envelope(7, true, "", "task_queue"), again, body.clone());

        assertThat(redelivered.id()).isEqualTo(first.id()).isEqualTo(TaskCodec.derivedId(pika, body));
        assertThat(first.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(codec.decode(envelope, pika, utf8("{\"task_type\": \"noop\", \"n\": 2}")).id()).isNotEqualTo(first.id());
        assertThat(codec.decode(envelope, pika.builder().correlationId("c-2").build(), body).id()).isNotEqualTo(first.id());
        assertThat(codec.decode(envelope, pika.builder().headers(Map.of("tenant", "other")).build(), body).id())
                .isNotEqualTo(first.id());
        assertThat(codec.decode(envelope, pika.builder().messageId("set-by-producer").build(), body).id())
                .isEqualTo("set-by-producer");
    }

    @Test
    void theTypePropertyWinsOverTheBodyField() throws Exception {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().type("echo").messageId("m-1")
                .headers(Map.of(TaskHeaders.ATTEMPT, 3, "note", LongStringHelper.asLongString("hi"))).build();
        TaskMessage task = codec.decode(envelope, props, utf8("{\"task_type\": \"noop\"}"));
        assertThat(task.type()).isEqualTo("echo");
        assertThat(task.id()).isEqualTo("m-1");
        assertThat(task.attempt()).isEqualTo(3);
        assertThat(task.headers().get("note")).isEqualTo("hi");
    }

    @Test
    void encodesTheFlatBodyAndPersistentPropertiesOfTheWireFormat() throws Exception {
        var payload = CoreModule.newObjectMapper().createObjectNode().put("user_id", 7);
        byte[] body = codec.body("send_welcome_email", payload);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"task_type\":\"send_welcome_email\",\"user_id\":7}");
        AMQP.BasicProperties props = codec.properties("id-1", "send_welcome_email", Map.of(), null, null);
        assertThat(props.getDeliveryMode()).isEqualTo(2);
        assertThat(props.getContentType()).isEqualTo("application/json");
        assertThat(props.getMessageId()).isEqualTo("id-1");
        assertThat(props.getType()).isEqualTo("send_welcome_email");
        assertThat(props.getAppId()).isEqualTo("warren");
        assertThat(props.getTimestamp().toInstant()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(codec.decode(envelope, props, body).payload().get("user_id").asInt()).isEqualTo(7);
    }

    @Test
    void rejectsWhatIsNotATaskWithAReason() {
        AMQP.BasicProperties none = new AMQP.BasicProperties();
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("not json")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("[1,2]")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("must be a JSON object, was array");
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("{\"user_id\": 1}")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("no task type");
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("{\"task_type\": 5}")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("must be a non-empty string");
        assertThatThrownBy(() -> codec.decode(envelope, none, new byte[] {'{', (byte) 0xC3, '}'}))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> codec.decode(envelope, none, new byte[0]))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("empty body");
        AMQP.BasicProperties gzip = new AMQP.BasicProperties.Builder().contentEncoding("gzip").build();
        assertThatThrownBy(() -> codec.decode(envelope, gzip, utf8("{\"task_type\": \"noop\"}")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("content_encoding 'gzip'");
        AMQP.BasicProperties badAttempt = new AMQP.BasicProperties.Builder()
                .headers(Map.of(TaskHeaders.ATTEMPT, -2)).build();
        assertThatThrownBy(() -> codec.decode(envelope, badAttempt, utf8("{\"task_type\": \"noop\"}")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("x-warren-attempt");
    }

    @Test
    void readsOnlyUtf8AndRejectsTrailingGarbage() throws Exception {
        AMQP.BasicProperties none = new AMQP.BasicProperties();
        // ASCII-only UTF-16 and UTF-32 bodies are valid UTF-8 byte for byte; they must not be read as JSON.
        assertThatThrownBy(() -> codec.decode(envelope, none, "{\"task_type\": \"noop\"}".getBytes(StandardCharsets.UTF_16LE)))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode(envelope, none, "{\"task_type\": \"noop\"}".getBytes("UTF-32BE")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("{\"task_type\": \"noop\"} garbage")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("{\"task_type\": \"noop\"}{}")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode(envelope, none, utf8("{\"task_type\": \"noop\"}\u0000")))
                .isInstanceOf(MalformedTaskException.class).hasMessageContaining("not valid JSON");
        assertThat(codec.decode(envelope, none, utf8("\uFEFF{\"task_type\": \"noop\"}\r\n")).type())
                .as("a UTF-8 byte order mark and trailing white space are fine").isEqualTo("noop");
    }
}
