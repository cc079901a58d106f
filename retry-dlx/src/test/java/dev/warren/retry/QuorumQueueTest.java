package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The opt-in quorum work queue: the broker itself dead-letters to {@code Q.dlq} past the delivery limit. */
class QuorumQueueTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aMessageReturnedMoreOftenThanTheDeliveryLimitIsDeadLetteredByTheBroker() throws Exception {
        String queue = queues.unique("quorum");
        try (RetryHarness warren = new RetryHarness(broker.amqpUri(), queue, RetrySettings.DEFAULTS,
                WorkQueueType.quorum(2), new FlakyTasks())) {
            warren.worker().start();   // declares the quorum queue, its DLQ and retry queues
            warren.worker().stop();    // leaves the queue to the raw client below
            try (Connection connection = broker.connect("quorum-test"); Channel channel = connection.createChannel()) {
                channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("q-1").build(),
                        "{\"task_type\": \"always_fails\"}".getBytes(StandardCharsets.UTF_8));
                // A consumer that never acknowledges, as a crashing worker would behave.
                int[] deliveries = {0};
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    GetResponse response = channel.basicGet(queue, false);
                    if (response != null) {
                        deliveries[0]++;
                        channel.basicNack(response.getEnvelope().getDeliveryTag(), false, true);
                    }
                    return warren.deadLetters().size(queue) == 1;
                });
                DeadLetter letter = warren.deadLetters().list(queue, l -> true, 1).get(0);
                assertThat(deliveries[0]).isEqualTo(3);
                assertThat(letter.messageId()).isEqualTo("q-1");
                assertThat(letter.error()).isEqualTo("broker: delivery_limit");
                assertThat(letter.sourceQueue()).isEqualTo(queue);
            }
        }
    }
}
