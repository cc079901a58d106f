package dev.warren.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the broker fixtures against real brokers: one private node, and the shared broker (only
 * for named connections and queues of this test's own).
 *
 * <p>Each start of a node costs about 7 s, so one node serves every check, and the lifecycle
 * test, which stops, restarts and finally kills it, runs last.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivateRabbitNodeTest {

    private static final Duration AWAIT = Duration.ofSeconds(15);

    /** No management plugin; a short consumer_timeout that the broker checks every second. */
    private static PrivateRabbitNode node;

    @BeforeAll
    static void startNode() {
        node = PrivateRabbitNode.builder()
                .management(false)
                .configLine("consumer_timeout = 5000")
                .advancedConfig("[{rabbit, [{channel_tick_interval, 1000}]}].")
                .build();
        node.start();
    }

    @AfterAll
    static void closeNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void startedNodeAcceptsAmqpConnectionsAndRoundTripsAMessage() throws Exception {
        assertThat(node.amqpUri()).isEqualTo("amqp://guest:guest@127.0.0.1:" + node.port() + "/%2F");
        assertThat(node.port()).isNotEqualTo(5672);
        assertThat(node.port()).isNotEqualTo(node.managementPort());
        assertThat(node.management()).isEmpty();

        try (Connection connection = node.broker().connect("warren-test-roundtrip")) {
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            channel.basicPublish("", queue, null, "hello".getBytes(StandardCharsets.UTF_8));

            await().atMost(AWAIT).untilAsserted(() -> {
                var response = channel.basicGet(queue, true);
                assertThat(response).isNotNull();
                assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
            });
        }
    }

    @Test
    void closeAllConnectionsClosesAnOpenConnection() throws Exception {
        Connection connection = node.broker().connect("warren-test-cut");
        try {
            node.closeAllConnections("cut by test");

            await().atMost(AWAIT).until(() -> !connection.isOpen());
            assertThat(connection.getCloseReason().getMessage()).contains("cut by test");
        } finally {
            connection.abort();
        }
    }

    @Test
    void rabbitmqctlTalksToItsOwnNodeWhichHasItsConfigLinesAndAdvancedConfig() {
        assertThat(node.nodeName()).startsWith("wtest-").endsWith("@localhost");
        // One eval: each rabbitmqctl call costs half a second.
        assertThat(node.rabbitmqctl("eval", "{node(), application:get_env(rabbit, consumer_timeout),"
                + " application:get_env(rabbit, channel_tick_interval)}."))
                .contains("{'" + node.nodeName() + "',{ok,5000},{ok,1000}}");
    }

    @Test
    void aFailingRabbitmqctlCommandThrowsWithItsOutput() {
        assertThatThrownBy(() -> node.rabbitmqctl("no_such_command"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no_such_command");
    }

    /** Last: it leaves the node killed. */
    @Test
    @Order(Integer.MAX_VALUE)
    void stopThenStartKeepsDurableQueuesAndMessagesAndKillDropsConnections() throws Exception {
        String queue = TestQueues.unique("durable");
        try (Connection connection = node.broker().connect("warren-test-before-restart")) {
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                    "survives".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(AWAIT.toMillis());
        }

        node.stop();
        assertThatThrownBy(() -> node.broker().connect("warren-test-while-stopped"))
                .isInstanceOf(IOException.class);
        node.start();

        Connection connection = node.broker().connect("warren-test-before-crash");
        try {
            assertThat(connection.createChannel().queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);

            node.kill();

            await().atMost(AWAIT).until(() -> !connection.isOpen());
            // Dropped, as by a crash: the broker sent no connection.close.
            assertThat(connection.getCloseReason().isInitiatedByApplication()).isFalse();
            assertThat(connection.getCloseReason().getReason()).isNull();
        } finally {
            connection.abort();
        }
        assertThatThrownBy(() -> node.broker().connect("warren-test-after-crash"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void managementApiClosesANamedConnectionOnTheSharedBroker() throws Exception {
        RabbitBroker shared = RabbitBroker.shared();
        ManagementApi management = shared.management().orElseThrow(() -> new AssertionError(
                "the shared broker " + shared + " has no management API; rabbitmq-plugins enable rabbitmq_management"));
        String name = TestQueues.unique("warren-test-named");

        Connection connection = shared.connect(name);
        try {
            management.awaitConnectionNamed(name, AWAIT);

            assertThat(management.closeConnectionsNamed(name)).isEqualTo(1);

            await().atMost(AWAIT).until(() -> !connection.isOpen());
            assertThat(connection.getCloseReason().getMessage()).contains("closed by test");
        } finally {
            connection.abort();
        }
        assertThat(management.closeConnectionsNamed(name)).isZero();
    }

    @Test
    void queueCleanupDeletesAQueueWithItsDeadLetterAndRetryQueues() throws Exception {
        RabbitBroker shared = RabbitBroker.shared();
        var cleanup = new QueueCleanup(shared);
        String queue = cleanup.unique("cleanup");
        assertThat(queue).matches("cleanup-[0-9a-f]{8}");
        String[] all = {queue, queue + ".dlq", queue + ".retry.5s", queue + ".retry.1m"};
        try (Connection connection = shared.connect("warren-test-cleanup-setup")) {
            Channel channel = connection.createChannel();
            for (String name : all) {
                channel.queueDeclare(name, true, false, false, null);
            }
        }

        cleanup.deleteRegistered();

        try (Connection connection = shared.connect("warren-test-cleanup-check")) {
            for (String name : all) {
                assertThat(exists(connection, name)).as(name).isFalse();
            }
        }
    }

    @Test
    void aBareSlashInTheUriMeansTheDefaultVhostAndThePasswordIsNeverPrinted() {
        var broker = RabbitBroker.of("amqp://user:s3cret@broker.example:5673/?heartbeat=5", null);

        assertThat(broker.amqpUri()).isEqualTo("amqp://user:s3cret@broker.example:5673/%2F?heartbeat=5");
        assertThat(broker.connectionFactory().getVirtualHost()).isEqualTo("/");
        assertThat(broker.host()).isEqualTo("broker.example");
        assertThat(broker.port()).isEqualTo(5673);
        assertThat(broker.toString()).doesNotContain("s3cret").contains("user:****@");
        assertThat(RabbitBroker.of("amqps://h", null).port()).isEqualTo(5671);
        assertThatThrownBy(() -> RabbitBroker.of("http://h:5672/", null))
                .hasMessageContaining("amqp://user:password@host:port/vhost");
    }

    private static boolean exists(Connection connection, String queue) throws IOException, TimeoutException {
        // A passive declare of a missing queue closes its channel, so each check gets its own.
        Channel channel = connection.createChannel();
        try {
            channel.queueDeclarePassive(queue);
            channel.close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
