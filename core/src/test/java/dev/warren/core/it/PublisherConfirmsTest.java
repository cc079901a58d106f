package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.PublishException;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PublisherConfirmsTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final com.fasterxml.jackson.databind.ObjectMapper mapper = CoreModule.newObjectMapper();

    @Test
    void aConfirmedPublishIsInTheQueue() throws Exception {
        String queue = queues.unique("confirmed");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue);
             Connection connection = broker.connect("confirms-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            warren.publisher().publish("noop", mapper.createObjectNode()).get(5, TimeUnit.SECONDS);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void aPublishToAMissingQueueFailsAsUnroutable() {
        String queue = queues.unique("missing");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue)) {
            assertThatThrownBy(() -> warren.publisher().publish("noop", mapper.createObjectNode()).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PublishException.class)
                    .hasMessageContaining("unroutable")
                    .hasMessageContaining(queue)
                    .satisfies(e -> assertThat(((PublishException) e).reason()).isEqualTo(PublishException.Reason.UNROUTABLE));
        }
    }

    @Test
    void aPublishTheBrokerRefusesFailsAsNacked() throws Exception {
        String queue = queues.unique("full");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue);
             Connection connection = broker.connect("confirms-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
            warren.publisher().publish("noop", mapper.createObjectNode()).get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> warren.publisher().publish("noop", mapper.createObjectNode()).get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(PublishException.class)
                    .satisfies(e -> assertThat(((PublishException) e).reason()).isEqualTo(PublishException.Reason.NACKED));
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void publishesInFlightWhenTheConnectionIsClosedFailAsConnectionLost() throws Exception {
        String queue = queues.unique("lost");
        var management = broker.management().orElseThrow();
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue);
             Connection connection = broker.connect("confirms-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            warren.publisher().publish("noop", mapper.createObjectNode()).get(5, TimeUnit.SECONDS);
            management.awaitConnectionNamed("warren-test-w-publish", java.time.Duration.ofSeconds(15));
            // Flood publishes so some are unconfirmed when the broker drops the connection.
            var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Void>>();
            for (int i = 0; i < 2000; i++) {
                futures.add(warren.publisher().publish("noop", mapper.createObjectNode().put("i", i)));
            }
            management.closeConnectionsNamed("warren-test-w-publish");
            long confirmed = 0;
            long lost = 0;
            for (var future : futures) {
                try {
                    future.get(30, TimeUnit.SECONDS);
                    confirmed++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(PublishException.class);
                    lost++;
                }
            }
            // Every publish either confirmed or failed: none pending forever, none confirmed but missing.
            assertThat(confirmed + lost).isEqualTo(2000);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isGreaterThanOrEqualTo((int) confirmed + 1);
        }
    }
}
