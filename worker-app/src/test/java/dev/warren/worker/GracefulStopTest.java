package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.ManagementApi;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown on SIGTERM (docs/architecture.md, "Graceful shutdown": cancel consumers,
 * finish in-flight tasks, ack them, close connections; nothing in flight is lost or acked twice),
 * with a real worker-app process.
 */
class GracefulStopTest {

    private static final int TASKS = 4;
    private static final long TASK_MILLIS = 1_500;

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private WorkerProcess worker;

    @AfterEach
    void killWorker() throws Exception {
        if (worker != null) {
            worker.close();
            System.out.println("--- " + worker + ":\n" + worker.log());
        }
    }

    @Test
    void sigtermFinishesTasksInFlightAndLeavesTheRestInTheQueue() throws Exception {
        String queue = queues.unique("graceful");
        publishSleepTasks(queue);
        assertThat(ready(queue).getMessageCount()).isEqualTo(TASKS);

        worker = WorkerProcess.start(directory, "graceful", "--demo", "--uri", broker.amqpUri(), "--queue", queue,
                "--concurrency", "2");
        // Two consumers with prefetch 1 hold one task each: two of the four left the ready list.
        await("two tasks in flight").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25))
                .until(() -> {
                    AMQP.Queue.DeclareOk ok = ready(queue);
                    return ok.getMessageCount() == TASKS - 2 && ok.getConsumerCount() == 2;
                });
        long inFlightAt = System.nanoTime();

        worker.process().destroy(); // SIGTERM
        int exitCode = worker.awaitExit(Duration.ofSeconds(10));
        long stoppedAfter = (System.nanoTime() - inFlightAt) / 1_000_000;
        System.out.printf("worker exited with %d, %d ms after the tasks were in flight (each sleeps %d ms)%n",
                exitCode, stoppedAfter, TASK_MILLIS);

        assertThat(exitCode).as("exit code; output:\n%s", worker.log()).isZero();
        assertThat(worker.log())
                .contains("stop requested")
                .contains("worker stopped: processed 2 tasks (sleep=2); retried 0, dead-lettered 0")
                .doesNotContain("still running after the shutdown timeout");

        // The process and its connections are gone, so anything it still held would be back in the
        // queue as a redelivery. Exactly the two untouched tasks are there, never delivered before.
        AMQP.Queue.DeclareOk after = ready(queue);
        assertThat(after.getConsumerCount()).isZero();
        assertThat(after.getMessageCount()).as("ready tasks after the stop").isEqualTo(TASKS - 2);
        awaitStatistics(broker.management().orElseThrow(() ->
                new AssertionError("the broker's management API is needed for its queue statistics: " + broker)), queue);
        try (Connection connection = broker.connect("warren-test-graceful-get");
             Channel channel = connection.createChannel()) {
            for (int i = 0; i < TASKS - 2; i++) {
                GetResponse left = channel.basicGet(queue, false);
                assertThat(left).as("task %d left in the queue", i + 1).isNotNull();
                assertThat(left.getEnvelope().isRedeliver()).as("task %d was delivered before", i + 1).isFalse();
            }
            assertThat(channel.basicGet(queue, false)).isNull();
        }
    }

    /** The management API agrees: 2 ready, 0 unacknowledged, no consumers (its statistics lag by up to 5 s). */
    private static void awaitStatistics(ManagementApi api, String queue) {
        await("management statistics of '" + queue + "' after the stop")
                .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    var stats = api.queue(queue);
                    assertThat(stats.path("consumers").asInt(-1)).isZero();
                    assertThat(stats.path("messages_ready").asInt(-1)).isEqualTo(TASKS - 2);
                    assertThat(stats.path("messages_unacknowledged").asInt(-1)).isZero();
                });
    }

    private void publishSleepTasks(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-graceful-declare");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        }
        Injector injector = Guice.createInjector(new CoreModule(
                AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-graceful-publisher"),
                RouteTable.allTo(queue)));
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class)) {
            TaskPublisher publisher = injector.getInstance(TaskPublisher.class);
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                confirms.add(publisher.publish("sleep", JsonNodeFactory.instance.objectNode().put("ms", TASK_MILLIS)));
            }
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
    }

    /** A passive declare: ready messages and consumers right now, without the management API's lag. */
    private AMQP.Queue.DeclareOk ready(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-graceful-probe");
             Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue);
        }
    }
}
