package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.spi.RedeliveredTaskException;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that kills its worker process never reaches a handler's catch, yet it must not loop
 * forever: each redelivery counts as a failed attempt, and after the last one the task sits in
 * the dead-letter queue. Real worker-app processes, restarted by the test as a supervisor would.
 */
class CrashLoopTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private final List<WorkerProcess> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws Exception {
        for (WorkerProcess worker : workers) {
            worker.close();
        }
    }

    @Test
    void aCrashTaskOnAQuorumQueueEndsInTheDlqAfterItsAttemptsInsteadOfLooping() throws Exception {
        String queue = queues.unique("crash");
        String[] args = {"--demo", "--uri", broker.amqpUri(), "--queue", queue, "--queue-type", "quorum",
            "--retry-max-attempts", "3", "--retry-delays", "100ms"};
        WorkerProcess first = start(args);
        first.awaitLog("consuming '" + queue + "'", Duration.ofSeconds(30));

        try (Connection connection = broker.connect("crash-test"); Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("crash-1").build(),
                    "{\"task_type\": \"crash\"}".getBytes(StandardCharsets.UTF_8));

            // Supervise: restart the worker each time the task kills it, until the task is parked.
            int[] crashes = {0};
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                WorkerProcess current = workers.get(workers.size() - 1);
                if (!current.process().isAlive()) {
                    assertThat(current.process().exitValue()).isEqualTo(70);
                    crashes[0]++;
                    start(args);
                }
                return channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1;
            });

            GetResponse parked = channel.basicGet(queue + ".dlq", true);
            Map<String, Object> headers = parked.getProps().getHeaders();
            System.out.printf("crash task parked after %d worker crashes; headers %s%n", crashes[0], headers);
            assertThat(parked.getProps().getMessageId()).isEqualTo("crash-1");
            assertThat(crashes[0]).isEqualTo(3);
            assertThat(String.valueOf(headers.get(TaskHeaders.ERROR))).isEqualTo(RedeliveredTaskException.class.getName());
            assertThat(headers.get(TaskHeaders.ATTEMPT)).isEqualTo(3);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
        }
    }

    private WorkerProcess start(String... args) throws Exception {
        WorkerProcess worker = WorkerProcess.start(directory, "crash-" + workers.size(), args);
        workers.add(worker);
        return worker;
    }
}
