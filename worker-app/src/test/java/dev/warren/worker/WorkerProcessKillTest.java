package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once across worker crashes (docs/reliability.md, "Failure matrix": a worker killed
 * mid-task leaves its message unacked, and the broker redelivers it), with real worker-app
 * processes and {@code kill -9}.
 */
class WorkerProcessKillTest {

    private static final long TASK_MILLIS = 3_000;

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private WorkerProcess workerA;
    private WorkerProcess workerB;
    private AmqpConnections publisherConnections;

    @AfterEach
    void stopEverything() throws Exception {
        for (WorkerProcess worker : new WorkerProcess[] {workerA, workerB}) {
            if (worker != null) {
                worker.close();
                System.out.println("--- " + worker + ":\n" + worker.log());
            }
        }
        if (publisherConnections != null) {
            publisherConnections.close();
        }
    }

    @Test
    void aTaskOfAKilledWorkerIsRedeliveredToAnotherWorker() throws Exception {
        String queue = queues.unique("kill-9");
        declare(queue);
        long t0 = System.nanoTime();

        // Publish before any worker runs: a ready count of 1 proves the task is in the queue, so a
        // ready count of 0 later proves worker A (then the only consumer) holds it unacknowledged.
        Injector injector = Guice.createInjector(new CoreModule(
                AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-kill-publisher"),
                RouteTable.allTo(queue)));
        publisherConnections = injector.getInstance(AmqpConnections.class);
        var payload = JsonNodeFactory.instance.objectNode().put("ms", TASK_MILLIS);
        var task = new OutgoingTask(UUID.randomUUID().toString(), "sleep", payload, queue, null, null, null);
        CompletableFuture<TaskResult> result = injector.getInstance(TaskPublisher.class).request(task);
        CompletableFuture<Long> resultArrivedAt = result.thenApply(r -> System.nanoTime());
        awaitQueue(queue, 1, 0);

        workerA = WorkerProcess.start(directory, "a", "--demo", "--uri", broker.amqpUri(), "--queue", queue);
        workerA.awaitLog("consuming", Duration.ofSeconds(20));
        awaitQueue(queue, 0, 1);
        long taken = System.nanoTime();
        System.out.printf("worker A started and took the task after %d ms%n", millisSince(t0));

        workerB = WorkerProcess.start(directory, "b", "--demo", "--uri", broker.amqpUri(), "--queue", queue);
        workerA.process().destroyForcibly(); // SIGKILL: no graceful stop, no ack
        assertThat(workerA.process().waitFor(5, TimeUnit.SECONDS)).as("worker A killed").isTrue();
        long killed = System.nanoTime();
        System.out.printf("worker A killed %d ms after taking the task (the task sleeps %d ms)%n",
                (killed - taken) / 1_000_000, TASK_MILLIS);

        TaskResult finished = result.get(20, TimeUnit.SECONDS);
        Duration afterKill = Duration.ofNanos(resultArrivedAt.get() - killed);
        System.out.printf("result %d ms after the start, %d ms after the kill: %s%n", millisSince(t0),
                afterKill.toMillis(), finished);

        assertThat(finished.status()).isEqualTo(TaskResult.SUCCEEDED);
        assertThat(finished.taskId()).isEqualTo(task.id());
        assertThat(finished.result().path("slept_ms").asLong()).isEqualTo(TASK_MILLIS);
        // Worker A died mid-task: the result is of the redelivery, which counts as the second attempt.
        assertThat(finished.attempts()).as("attempts of the task that finished").isEqualTo(2);
        assertThat(workerA.log()).doesNotContain("worker stopped");
        assertThat(workerB.log()).contains("consuming");
        // Only B can have finished it: the result came a whole sleep after A died, so B ran the task again.
        assertThat(afterKill).isGreaterThanOrEqualTo(Duration.ofMillis(TASK_MILLIS));
        awaitQueue(queue, 0, 1);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private void declare(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-kill");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        }
    }

    /** Waits until a passive declare (no statistics lag) shows {@code ready} messages and {@code consumers}. */
    private void awaitQueue(String queue, int ready, int consumers) {
        await("'" + queue + "' with " + ready + " ready and " + consumers + " consumer(s)")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> {
                    try (Connection connection = broker.connect("warren-test-kill-probe");
                         Channel channel = connection.createChannel()) {
                        AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
                        return ok.getMessageCount() == ready && ok.getConsumerCount() == consumers;
                    }
                });
    }
}
