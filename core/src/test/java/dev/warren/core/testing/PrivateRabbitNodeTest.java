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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the broker fixtures against real brokers: two private nodes started side by side, and
 * the shared broker (only for named connections and queues of this test's own).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrivateRabbitNodeTest {

    private static final Duration AWAIT = Duration.ofSeconds(15);

    /** Default options: management on. */
    private static PrivateRabbitNode node;
    /** No management, a short consumer_timeout that the broker checks every second. */
    private static PrivateRabbitNode tunedNode;

    @BeforeAll
    static void startNodes() {
        node = PrivateRabbitNode.builder().build();
        tunedNode = PrivateRabbitNode.builder()
                .management(false)
                .configLine("consumer_timeout = 5000")
                .advancedConfig("[{rabbit, [{channel_tick_interval, 1000}]}].")
                .build();
        // Each takes several seconds to start; start both at once.
        inParallel(node::start, tunedNode::start);
    }

    @AfterAll
    static void closeNodes() {
        inParallel(() -> close(node), () -> close(tunedNode));
    }

    @Test
    void startedNodeAcceptsAmqpConnectionsAndRoundTripsAMessage() throws Exception {
        assertThat(node.amqpUri()).isEqualTo("amqp://guest:guest@127.0.0.1:" + node.port() + "/%2F");
        assertThat(node.port()).isNotEqualTo(5672);
        assertThat(node.port()).isNotEqualTo(node.managementPort());

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
        assertThat(node.management()).hasValueSatisfying(api -> assertThat(api.isReachable()).isTrue());
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
    void rabbitmqctlTalksToItsOwnNodeWhenSeveralRun() {
        assertThat(node.nodeName()).isNotEqualTo(tunedNode.nodeName()).startsWith("wtest-").endsWith("@localhost");
        assertThat(node.rabbitmqctl("eval", "node().")).contains(node.nodeName());
        assertThat(tunedNode.rabbitmqctl("eval", "node().")).contains(tunedNode.nodeName());

        assertThatThrownBy(() -> node.rabbitmqctl("no_such_command"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no_such_command");
    }

    @Test
    void configLinesAndAdvancedConfigReachTheNode() {
        assertThat(tunedNode.rabbitmqctl("eval", "application:get_env(rabbit, consumer_timeout)."))
                .contains("{ok,5000}");
        assertThat(tunedNode.rabbitmqctl("eval", "application:get_env(rabbit, channel_tick_interval)."))
                .contains("{ok,1000}");
        assertThat(tunedNode.management()).isEmpty();
    }

    @Test
    void stopThenStartKeepsDurableQueuesAndMessages() throws Exception {
        String queue = TestQueues.unique("durable");
        try (Connection connection = tunedNode.broker().connect("warren-test-before-restart")) {
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, true, false, false, null);
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                    "survives".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(AWAIT.toMillis());
        }

        tunedNode.stop();
        assertThatThrownBy(() -> tunedNode.broker().connect("warren-test-while-stopped"))
                .isInstanceOf(IOException.class);
        tunedNode.start();

        try (Connection connection = tunedNode.broker().connect("warren-test-after-restart")) {
            assertThat(connection.createChannel().queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void killedNodeDropsConnectionsAndStartsAgainWithItsDurableQueues() throws Exception {
        String queue = TestQueues.unique("crash");
        Connection connection = tunedNode.broker().connect("warren-test-before-crash");
        try {
            connection.createChannel().queueDeclare(queue, true, false, false, null);

            tunedNode.kill();

            await().atMost(AWAIT).until(() -> !connection.isOpen());
        } finally {
            connection.abort();
        }
        tunedNode.start();
        try (Connection after = tunedNode.broker().connect("warren-test-after-crash")) {
            assertThat(after.createChannel().queueDeclarePassive(queue).getQueue()).isEqualTo(queue);
        }
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

    /** Runs both on threads of their own (the common pool may have a single thread) and waits. */
    private static void inParallel(Runnable first, Runnable second) {
        try (var executor = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
            CompletableFuture.allOf(CompletableFuture.runAsync(first, executor),
                    CompletableFuture.runAsync(second, executor)).join();
        }
    }

    private static void close(PrivateRabbitNode privateNode) {
        if (privateNode != null) {
            privateNode.close();
        }
    }
}
