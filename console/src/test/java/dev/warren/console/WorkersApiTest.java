package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the workers page counts as a worker, on the real broker's management API. */
class WorkersApiTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final List<Connection> connections = new ArrayList<>();
    private final UserBroker guest = new UserBroker(ConsoleSecurityTest.settings(broker), HttpClient.newHttpClient(),
            "guest", "guest");

    @AfterEach
    void close() throws Exception {
        guest.close();
        for (Connection connection : connections) {
            connection.close();
        }
    }

    @Test
    void listsWhatConsumesAWorkQueueOrNamesTaskTypesAndLeavesOutTheConsolesAndSchedulersConnections()
            throws Exception {
        String work = queues.unique("workers-work");
        String lease = queues.unique("workers-lease");
        String other = queues.unique("workers-other");
        String suffix = "-" + work;
        try (Connection setup = broker.connect("workers-test-setup"); Channel channel = setup.createChannel()) {
            for (String queue : List.of(work, work + ".dlq", lease, other)) {
                channel.queueDeclare(queue, false, false, false, null);
            }
        }
        consume("pika-worker" + suffix, Map.of(), work);
        consume(UserBroker.CONNECTION_NAME_PREFIX + "guest" + suffix, Map.of(), work + ".dlq");
        consume("warren-worker@web-1" + suffix + "-scheduler", Map.of(), lease);
        consume("warren-worker@web-2" + suffix, Map.of(AmqpConnections.TASK_TYPES_PROPERTY, "resize_image"), other);
        List<String> ours = List.of("pika-worker" + suffix, "warren-worker@web-2" + suffix);

        // The management API lists connections and consumers (with their connection) a little late: wait for all four.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<String> consumed = new ArrayList<>();
            guest.management().get("/api/consumers/%2F").forEach(c -> {
                if (!c.path("channel_details").path("connection_name").asText().isEmpty()) {
                    consumed.add(c.path("queue").path("name").asText());
                }
            });
            List<String> named = new ArrayList<>();
            guest.management().get("/api/vhosts/%2F/connections").forEach(c -> named.add(c.path("user_provided_name").asText()));
            return consumed.containsAll(List.of(work, work + ".dlq", lease, other))
                    && named.stream().filter(n -> n.contains(suffix)).count() == 4;
        });

        WorkersApi api = new WorkersApi();
        List<String> shown = api.read(guest).stream().map(WorkersApi.Worker::name).filter(name -> name.contains(suffix))
                .toList();

        assertThat(shown).containsExactlyInAnyOrderElementsOf(ours);
        assertThat(api.read(guest).stream().filter(worker -> worker.name().equals("warren-worker@web-2" + suffix))
                .findFirst().orElseThrow().taskTypes()).containsExactly("resize_image");
    }

    /** Opens a connection named {@code name} with {@code properties} that consumes {@code queue}. */
    private void consume(String name, Map<String, Object> properties, String queue) throws Exception {
        ConnectionFactory factory = broker.connectionFactory();
        Map<String, Object> client = new HashMap<>(factory.getClientProperties());
        client.putAll(properties);
        factory.setClientProperties(client);
        Connection connection = factory.newConnection(name);
        connections.add(connection);
        Channel channel = connection.createChannel();
        channel.basicConsume(queue, false, new DefaultConsumer(channel));
    }
}
