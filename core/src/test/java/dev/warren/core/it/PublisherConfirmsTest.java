package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.PublishException;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PublisherConfirmsTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private static final Logger log = LoggerFactory.getLogger(PublisherConfirmsTest.class);
    /** Publishes sent while the broker does not read them; they fit in the sockets' buffers, so none blocks. */
    private static final int IN_FLIGHT = 200;

    private final ObjectMapper mapper = CoreModule.newObjectMapper();

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

    /**
     * Publishes of one {@code message_id} in flight together, one to a missing queue (as a retry
     * copy to a deleted retry queue), then one to a queue that exists: only the first fails. Many
     * pairs back to back, so that the return of the first often arrives while the second is out.
     */
    @Test
    void aReturnFailsOnlyThePublishItBelongsToWhenPublishesInFlightShareAMessageId() throws Exception {
        String queue = queues.unique("same-id");
        String missing = queues.unique("same-id-missing");
        int pairs = 50;
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue);
             Connection connection = broker.connect("confirms-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            List<CompletableFuture<Void>> unroutable = new ArrayList<>();
            List<CompletableFuture<Void>> routable = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                var properties = new AMQP.BasicProperties.Builder().messageId("twin-" + i).build();
                byte[] body = ("{\"task_type\": \"noop\", \"n\": " + i + "}").getBytes(StandardCharsets.UTF_8);
                unroutable.add(warren.publisher().publishRaw(missing, properties, body));
                routable.add(warren.publisher().publishRaw(queue, properties, body));
            }

            for (int i = 0; i < pairs; i++) {
                assertThat(routable.get(i)).as("publish %d to '%s'", i, queue).succeedsWithin(Duration.ofSeconds(10));
                assertThat(unroutable.get(i)).as("publish %d to '%s'", i, missing).failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(PublishException.class)
                        .satisfies(e -> assertThat(((PublishException) e).reason()).isEqualTo(PublishException.Reason.UNROUTABLE));
            }
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(pairs);
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

    /**
     * On a private node: a memory alarm makes the broker stop reading the publishing connection
     * (after at most the publish that finds it blocked), so the publishes that follow are sent but
     * unconfirmed, in flight, until the node closes the connection. Each of them must fail as
     * {@code CONNECTION_LOST}; each one confirmed must be in the queue.
     */
    @Test
    void publishesInFlightWhenTheConnectionIsLostFailAsConnectionLostAndEveryConfirmedOneIsInTheQueue()
            throws Exception {
        String queue = TestQueues.unique("lost");
        try (PrivateRabbitNode node = PrivateRabbitNode.builder().management(false).build()) {
            node.start();
            try (WarrenHarness warren = new WarrenHarness(node.amqpUri(), queue);
                 LogCapture logs = LogCapture.of("dev.warren")) {
                try (Connection connection = node.broker().connect("confirms-test-declare")) {
                    connection.createChannel().queueDeclare(queue, true, false, false, null);
                }
                // Confirmed before the alarm: these must be in the queue at the end.
                Set<String> confirmed = new HashSet<>();
                for (int i = 0; i < IN_FLIGHT; i++) {
                    OutgoingTask task = OutgoingTask.of("noop", mapper.createObjectNode().put("before", i));
                    warren.publisher().publish(task).get(5, TimeUnit.SECONDS);
                    confirmed.add(task.id());
                }

                node.rabbitmqctl("set_vm_memory_high_watermark", "0.000001");
                await("the node's memory alarm").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> node.rabbitmqctl("eval", "rabbit_alarm:get_alarms().").contains("memory"));
                Map<String, CompletableFuture<Void>> futures = new LinkedHashMap<>();
                for (int i = 0; i < IN_FLIGHT; i++) {
                    OutgoingTask task = OutgoingTask.of("noop", mapper.createObjectNode().put("i", i));
                    futures.put(task.id(), warren.publisher().publish(task));
                }
                // The broker has stopped reading: what it has not read stays unconfirmed.
                await("broker blocked publishing").atMost(Duration.ofSeconds(30))
                        .until(() -> logs.text().contains("broker blocked publishing"));
                assertThat(warren.publisher().outstandingConfirms()).as("publishes awaiting a confirm").isPositive();
                node.closeAllConnections("publisher confirms test");

                List<Throwable> failures = new ArrayList<>();
                for (var entry : futures.entrySet()) {
                    try {
                        entry.getValue().get(30, TimeUnit.SECONDS);
                        confirmed.add(entry.getKey());
                    } catch (ExecutionException e) {
                        failures.add(e.getCause());
                    }
                }
                log.info("{} publishes in flight when the connection was closed: {} confirmed, {} failed",
                        IN_FLIGHT, confirmed.size() - IN_FLIGHT, failures.size());
                node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");
                assertThat(messageIds(node, queue)).as("message ids in the queue").containsAll(confirmed);

                assertThat(failures).as("publishes that failed").isNotEmpty().allSatisfy(failure -> {
                    assertThat(failure).isInstanceOf(PublishException.class).hasMessageContaining("not confirmed");
                    assertThat(((PublishException) failure).reason()).isEqualTo(PublishException.Reason.CONNECTION_LOST);
                });
            }
        }
    }

    /** Takes every message from {@code queue} on {@code node} and returns their ids. */
    private static Set<String> messageIds(PrivateRabbitNode node, String queue) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = node.broker().connect("confirms-test-drain");
             Channel channel = connection.createChannel()) {
            GetResponse message;
            while ((message = channel.basicGet(queue, true)) != null) {
                ids.add(message.getProps().getMessageId());
            }
        }
        return ids;
    }
}
