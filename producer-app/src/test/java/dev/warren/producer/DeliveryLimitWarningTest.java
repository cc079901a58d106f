package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import dev.warren.retry.DeadLetter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryLimitWarningTest {

    private static DeadLetter letter(Map<String, Object> headers) {
        return new DeadLetter("m", "t", 1, null, null, null, "q",
                new AMQP.BasicProperties.Builder().messageId("m").headers(headers).build(), new byte[0], 0);
    }

    private final List<DeadLetter> returnedFromAQuorumQueue = List.of(letter(null), letter(Map.of("x-delivery-count", 7L)));

    @Test
    void aQuorumDeadLetterQueueOnRabbitMq40To42IsWarnedAbout() {
        assertThat(DeliveryLimitWarning.of("4.1.3", "q.dlq", returnedFromAQuorumQueue)).hasValueSatisfying(warning ->
                assertThat(warning).contains("'q.dlq' is a quorum queue on RabbitMQ 4.1.3", "delivery-limit -1",
                        "read 20 times is dropped", "returned 7 time(s)"));
        assertThat(DeliveryLimitWarning.of("4.0.0", "q.dlq", returnedFromAQuorumQueue)).isPresent();
        assertThat(DeliveryLimitWarning.of("4.2.1", "q.dlq", returnedFromAQuorumQueue)).isPresent();
    }

    @Test
    void otherBrokersAndClassicQueuesAreNot() {
        assertThat(DeliveryLimitWarning.of("3.10.8", "q.dlq", returnedFromAQuorumQueue)).isEmpty();
        assertThat(DeliveryLimitWarning.of("4.3.0", "q.dlq", returnedFromAQuorumQueue)).isEmpty();
        assertThat(DeliveryLimitWarning.of(null, "q.dlq", returnedFromAQuorumQueue)).isEmpty();
        // A classic queue sets no x-delivery-count.
        assertThat(DeliveryLimitWarning.of("4.1.3", "q.dlq", List.of(letter(null), letter(Map.of("other", 1))))).isEmpty();
    }
}
