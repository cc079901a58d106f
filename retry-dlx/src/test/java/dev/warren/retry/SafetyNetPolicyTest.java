package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.testing.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The optional broker policy that dead-letters what the broker would drop from an argument-free work queue. */
class SafetyNetPolicyTest {

    @Test
    void theAppliedPolicyDeadLettersAnExpiredMessageToTheDlqAndRemoveUndoesIt() throws Exception {
        try (PrivateRabbitNode node = PrivateRabbitNode.builder().build()) {
            node.start();
            String queue = "orders.v1";   // a dot, to prove the name is matched literally
            SafetyNetPolicy policy = new SafetyNetPolicy(node.management().orElseThrow().baseUri(), "guest", "guest");
            try (Connection connection = node.broker().connect("safety-net-test"); Channel channel = connection.createChannel()) {
                channel.queueDeclare(queue, true, false, false, null);
                channel.queueDeclare("ordersXv1", true, false, false, null);
                channel.queueDeclare(queue + ".dlq", true, false, false, null);

                policy.apply("/", queue);
                assertThat(node.rabbitmqctl("list_policies")).contains(SafetyNetPolicy.policyName(queue));

                AMQP.BasicProperties expiring = new AMQP.BasicProperties.Builder().deliveryMode(2).expiration("1").build();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    // The policy takes effect asynchronously; publish until an expired message is dead-lettered.
                    channel.basicPublish("", queue, expiring, "x".getBytes(StandardCharsets.UTF_8));
                    channel.basicPublish("", "ordersXv1", expiring, "x".getBytes(StandardCharsets.UTF_8));
                    channel.queueDeclarePassive(queue).getMessageCount();   // triggers expiry at the head
                    return channel.queueDeclarePassive(queue + ".dlq").getMessageCount() > 0;
                });
                // The look-alike queue is not matched: its expired messages are dropped, not dead-lettered.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> channel.queueDeclarePassive("ordersXv1").getMessageCount() == 0);
                com.rabbitmq.client.GetResponse dead;
                while ((dead = channel.basicGet(queue + ".dlq", true)) != null) {
                    Object deaths = dead.getProps().getHeaders().get("x-death");
                    assertThat(String.valueOf(deaths)).contains("queue=" + queue).doesNotContain("ordersXv1");
                }

                policy.remove("/", queue);
                policy.remove("/", queue);   // removing twice is fine
                assertThat(node.rabbitmqctl("list_policies")).doesNotContain(SafetyNetPolicy.policyName(queue));
            }
        }
    }
}
