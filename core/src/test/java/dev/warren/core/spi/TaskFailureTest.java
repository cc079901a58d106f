package dev.warren.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.warren.core.wire.TaskHeaders;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskFailureTest {

    private static TaskFailure failure(AMQP.BasicProperties properties, Throwable cause) {
        return new TaskFailure("q", new Envelope(1, false, "", "q"), properties, new byte[0], null, cause, false);
    }

    @Test
    void republishedCopiesCarryTheErrorHeadersAndNeitherExpireNorClaimTheProducersUser() {
        AMQP.BasicProperties original = new AMQP.BasicProperties.Builder().deliveryMode(1).expiration("1000")
                .userId("someone").messageId("m").headers(Map.of("custom", "kept")).build();
        AMQP.BasicProperties copy = failure(original, new IllegalStateException("boom"))
                .republishProperties(3, Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(copy.getExpiration()).isNull();
        assertThat(copy.getUserId()).isNull();
        assertThat(copy.getDeliveryMode()).isEqualTo(2);
        assertThat(copy.getHeaders()).containsEntry("custom", "kept").containsEntry(TaskHeaders.ATTEMPT, 3)
                .containsEntry(TaskHeaders.ERROR, IllegalStateException.class.getName())
                .containsEntry(TaskHeaders.ERROR_MESSAGE, "boom").containsEntry(TaskHeaders.QUEUE, "q")
                .containsEntry(TaskHeaders.FAILED_AT, "2026-01-01T00:00:00Z");
    }

    @Test
    void producerTextCannotForgeLogLines() {
        assertThat(TaskFailure.printable("send\n12:00:00 INFO fake\u001b[31m")).isEqualTo("send?12:00:00 INFO fake?[31m");
        assertThat(TaskFailure.printable("plain")).isEqualTo("plain");
        assertThat(failure(new AMQP.BasicProperties(), new IllegalStateException("a\r\nb")).reason()).isEqualTo("a??b");
    }

    @Test
    void theStackTraceIsCutOnACharacterBoundaryAndSaysSo() {
        String text = "é".repeat(100);                      // 200 bytes of UTF-8
        assertThat(TaskFailure.truncateUtf8(text, 200)).isEqualTo(text);
        String cut = TaskFailure.truncateUtf8(text, 101);
        assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(101);
        assertThat(cut).startsWith("éé").endsWith("(cut: 200 bytes in all)").doesNotContain("\uFFFD");
    }
}
