package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.task.TaskContext;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults that need a broker of the test's own: closed connections, a restart, a broker that is
 * down when the worker starts, and the broker's consumer timeout (5 s on this node).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerFaultsTest {

    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private PrivateRabbitNode node;

    @BeforeAll
    void startNode() {
        node = PrivateRabbitNode.builder()
                .management(false)
                .configLine("consumer_timeout = 5000")
                .advancedConfig("[{rabbit, [{channel_tick_interval, 1000}]}].")
                .build();
        node.start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Publishes a greeting, retrying while the publisher's connection is still recovering. */
    private void publishGreeting(WarrenHarness warren, long userId) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            warren.publisher().publish("greet", mapper.createObjectNode().put("user_id", userId).put("user_name", "u"))
                    .get(5, TimeUnit.SECONDS);
            return true;
        });
    }

    private long readyMessages(String queue) throws Exception {
        try (Connection connection = node.broker().connect("broker-faults-depth")) {
            return connection.createChannel().queueDeclarePassive(queue).getMessageCount();
        }
    }

    private static void awaitGreeted(WarrenHarness warren, long userId) {
        TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> journal.payloads.contains(new TestTasks.Greeting(userId, "u")));
    }

    @Test
    void workerAndPublisherRecoverWhenTheBrokerClosesAllConnections() throws Exception {
        try (WarrenHarness warren = new WarrenHarness(node.amqpUri(), TestQueues.unique("closed"), new TestTasks()).start()) {
            publishGreeting(warren, 1);
            awaitGreeted(warren, 1);

            node.closeAllConnections("fault test");

            await().atMost(Duration.ofSeconds(10)).until(() -> !warren.connections().isOpen());
            await().atMost(Duration.ofSeconds(30)).until(() -> warren.worker().isHealthy());
            publishGreeting(warren, 2);
            awaitGreeted(warren, 2);
        }
    }

    @Test
    void aWorkerResumesByItselfAfterABrokerRestartAndPersistentTasksSurvive() throws Exception {
        String queue = TestQueues.unique("restart");
        try (WarrenHarness warren = new WarrenHarness(node.amqpUri(), queue, new TestTasks()).start()) {
            publishGreeting(warren, 1);
            awaitGreeted(warren, 1);
            // The worker's one consumer (prefetch 1) holds a blocked task, so greeting 2 waits in the
            // queue through the restart: only a persistent message in a durable queue survives it.
            warren.publisher().publish("block", mapper.createObjectNode().put("n", 1)).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.worker().tasksInFlight() == 1);
            publishGreeting(warren, 2);
            assertThat(readyMessages(queue)).as("tasks waiting in '%s' when the broker stops", queue).isEqualTo(1);

            node.stop();
            node.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> warren.worker().isHealthy());
            awaitGreeted(warren, 2);
            publishGreeting(warren, 3);
            awaitGreeted(warren, 3);
            warren.get(TestTasks.Journal.class).gate.countDown();
        }
    }

    @Test
    void aWorkerStartedWhileTheBrokerIsDownConnectsOnceItComesUp() throws Exception {
        node.stop();
        boolean restarted = false;
        String queue = TestQueues.unique("late");
        try (WarrenHarness warren = new WarrenHarness(node.amqpUri(), queue, new TestTasks());
             LogCapture logs = LogCapture.of("dev.warren")) {
            CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> {
                try {
                    warren.worker().start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Two failed attempts to connect, and the worker keeps trying: it neither gives up nor
            // reports itself started (the await stops early if start() returns, to fail at once).
            Callable<Long> retries = () -> logs.lines().stream()
                    .filter(line -> line.contains("not reachable") && line.contains("retrying")).count();
            await().atMost(Duration.ofSeconds(30)).until(() -> starting.isDone() || retries.call() >= 2);
            assertThat(starting).isNotDone();
            assertThat(retries.call()).as("connection attempts retried").isGreaterThanOrEqualTo(2);
            node.start();
            restarted = true;
            starting.get(60, TimeUnit.SECONDS);
            assertThat(warren.worker().isHealthy()).isTrue();
            publishGreeting(warren, 3);
            awaitGreeted(warren, 3);
        } finally {
            if (!restarted) {
                node.start();
            }
        }
    }

    @Test
    void aChannelClosedByTheConsumerTimeoutConsumesAgainAndOtherTasksKeepFlowing() throws Exception {
        String queue = TestQueues.unique("timeout");
        WorkerSettings settings = WorkerSettings.of(queue);
        try (WarrenHarness warren = new WarrenHarness(node.amqpUri(), settings, "timeout", new TestTasks()).start()) {
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            long started = System.nanoTime();
            // The first delivery of "block" hangs past the broker's 5 s consumer timeout.
            warren.publisher().publish("block", mapper.createObjectNode().put("n", 1)).get(5, TimeUnit.SECONDS);
            publishGreeting(warren, 7);

            awaitGreeted(warren, 7);
            await().atMost(Duration.ofSeconds(10)).until(() -> journal.count("block") == 1);
            TaskContext redelivered = journal.contexts.stream().filter(c -> c.taskType().equals("block")).findFirst().orElseThrow();
            assertThat(redelivered.redelivered()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(4));
            assertThat(warren.worker().isHealthy()).isTrue();
            journal.gate.countDown();
        }
    }
}
