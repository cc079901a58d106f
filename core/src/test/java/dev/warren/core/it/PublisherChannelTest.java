package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.publish.PublishException;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One bad publish must not break the publisher for the ones after it: not a publish the broker
 * answers by closing the channel (a {@code user_id} that is not the connection's user, a missing
 * permission), and not one amqp-client fails to encode after counting it (headers over the frame
 * size), which would otherwise shift every later confirm onto the wrong message.
 */
class PublisherChannelTest {

    private static final byte[] BODY = "{\"task_type\": \"noop\"}".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aPublishTheBrokerClosesTheChannelForDoesNotStopLaterPublishes() throws Exception {
        String queue = queues.unique("channel-error");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue);
             Connection connection = broker.connect("publisher-channel-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);

            assertThatThrownBy(() -> warren.publisher().publishRaw(queue, properties("forged").userId("someone-else").build(),
                    BODY).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PublishException.class)
                    .hasMessageContaining("PRECONDITION_FAILED");
            warren.publisher().publishRaw(queue, properties("after").build(), BODY).get(5, TimeUnit.SECONDS);

            assertThat(channel.basicGet(queue, true).getProps().getMessageId()).isEqualTo("after");
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
        }
    }

    @Test
    void aPublishThatCannotBeEncodedDoesNotShiftTheConfirmsOfLaterPublishes() throws Exception {
        String queue = queues.unique("too-big");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue);
             Connection connection = broker.connect("publisher-channel-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);

            AMQP.BasicProperties tooBig = properties("too-big").headers(Map.of("x-big", "h".repeat(140_000))).build();
            assertThatThrownBy(() -> warren.publisher().publishRaw(queue, tooBig, BODY).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PublishException.class)
                    .hasMessageContaining("frame size");
            warren.publisher().publishRaw(queue, properties("a").build(), BODY).get(5, TimeUnit.SECONDS);
            // If the confirm of "a" were taken for this one, it would pass and its own return be lost.
            assertThatThrownBy(() -> warren.publisher().publishRaw(queue + "-missing", properties("b").build(), BODY)
                    .get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PublishException.class)
                    .satisfies(e -> assertThat(((PublishException) e).reason()).isEqualTo(PublishException.Reason.UNROUTABLE));
            warren.publisher().publishRaw(queue, properties("c").build(), BODY).get(5, TimeUnit.SECONDS);

            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(2);
        }
    }

    private static AMQP.BasicProperties.Builder properties(String id) {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id);
    }
}
