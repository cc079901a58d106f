package dev.warren.worker;

import dev.warren.core.testing.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.PikaScript;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain Python recipe interoperates with a Warren worker: tasks from the classic pika producer
 * ({@code queue_declare(durable=True)}, bare {@code basic_publish} with only {@code delivery_mode=2})
 * are handled, whichever side declares the queue first. (The other direction, a Warren {@code send}
 * received by the pika consumer, is tested in producer-app, where {@code send} lives.)
 */
class PikaInteropTest {

    private static final int TASKS = 5;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aDelayedTaskFromAPikaProducerIsHandledByAWorkerStartedWithDelayedTasks() throws Exception {
        String queue = queues.unique("pika-delayed-to-warren");
        try (var worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo", "--email-delay", "0ms",
                "--delayed-tasks")) {
            // The worker declared the delay topology and bound its queue: pika only publishes.
            try (var producer = PikaScript.start(directory, interop("pika_delayed_producer.py"),
                    "--uri", broker.amqpUri(), "--queue", queue, "--delay", "2")) {
                assertThat(producer.awaitExit(SCRIPT_TIMEOUT)).as("%s", producer).isZero();
            }
            awaitSucceededWelcomeEmails(worker, 1);
            assertThat(worker.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();
        }
    }

    @Test
    void aDelayedTaskFromAPikaProducerReachesAQuorumWorkerThroughTheQuorumLevels() throws Exception {
        String queue = queues.unique("pika-delayed-to-quorum");
        try (var declared = LogCapture.of(WorkerCommand.class.getName());
             var worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo", "--email-delay", "0ms",
                "--queue-type", "quorum", "--delayed-tasks")) {
            // On this shared broker the quorum levels may exist already: the worker's log says it declared them.
            assertThat(declared.text()).contains("delay topology declared (QUORUM levels, entry warren.delay.q.27)");
            try (var producer = PikaScript.start(directory, interop("pika_delayed_producer.py"),
                    "--uri", broker.amqpUri(), "--queue", queue, "--delay", "2", "--quorum")) {
                assertThat(producer.awaitExit(SCRIPT_TIMEOUT)).as("%s", producer).isZero();
            }
            awaitSucceededWelcomeEmails(worker, 1);
            assertThat(worker.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();
        }
    }

    @Test
    void aPikaProducersTasksAreHandledByAWarrenWorker() throws Exception {
        String queue = queues.unique("pika-to-warren");

        try (var producer = PikaScript.start(directory, interop("pika_producer.py"),
                "--uri", broker.amqpUri(), "--queue", queue, "--count", String.valueOf(TASKS))) {
            assertThat(producer.awaitExit(SCRIPT_TIMEOUT)).as("%s", producer).isZero();
        }
        assertThat(readyMessages(queue)).as("tasks the pika producer left in '%s'", queue).isEqualTo(TASKS);

        // pika declared the queue; Warren's declare must accept it (no PRECONDITION_FAILED).
        try (var sent = LogCapture.of("dev.warren.worker.demo");
             var worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo", "--email-delay", "0ms")) {
            awaitSucceededWelcomeEmails(worker, TASKS);

            assertThat(worker.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();
            assertThat(readyMessages(queue + ".dlq")).as("dead-lettered tasks").isZero();
            assertThat(readyMessages(queue)).isZero();
            // The bare JSON bound to the payload record: numbers, names and addresses arrived intact.
            assertThat(sent.text())
                    .contains("sent welcome e-mail to John Doe <user@example.com> (user 123,")
                    .contains("sent welcome e-mail to John Doe <user@example.com> (user " + (123 + TASKS - 1) + ",");
        }
    }

    @Test
    void aPikaProducerAcceptsTheQueueAWarrenWorkerDeclared() throws Exception {
        String queue = queues.unique("warren-declares");

        try (var worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo", "--email-delay", "0ms")) {
            try (var producer = PikaScript.start(directory, interop("pika_producer.py"),
                    "--uri", broker.amqpUri(), "--queue", queue, "--count", String.valueOf(TASKS))) {
                assertThat(producer.awaitExit(SCRIPT_TIMEOUT))
                        .as("pika's queue_declare(durable=True) of the queue Warren declared: %s", producer)
                        .isZero();
                assertThat(producer.stderr()).doesNotContain("PRECONDITION_FAILED");
            }

            awaitSucceededWelcomeEmails(worker, TASKS);
            assertThat(worker.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();
            assertThat(readyMessages(queue + ".dlq")).as("dead-lettered tasks").isZero();
        }
    }

    @Test
    void theRpcTutorialsPikaClientGetsItsReplyMatchedByCorrelationId() throws Exception {
        String queue = queues.unique("pika-rpc");

        try (var worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo");
             var client = PikaScript.start(directory, interop("pika_rpc_client.py"),
                     "--uri", broker.amqpUri(), "--queue", queue, "--text", "ping")) {
            assertThat(client.awaitExit(SCRIPT_TIMEOUT)).as("the tutorial's client matched a reply: %s", client).isZero();
            // The reply's body is Warren's result message: the echo task returns its payload.
            assertThat(client.stdout()).contains("\"status\":\"succeeded\"").contains("\"text\":\"ping\"");
        }
    }

    /** A script of {@code src/test/resources/interop}. */
    private static Path interop(String script) {
        return PikaScript.resource("interop/" + script);
    }

    private static void awaitSucceededWelcomeEmails(InProcessWorker worker, long expected) {
        await("worker stats showing " + expected + " succeeded send_welcome_email tasks")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(worker.worker().stats().succeededByType())
                        .as("succeeded tasks by type; dead-lettered: %d",
                                worker.worker().stats().count(TaskOutcome.DEAD_LETTERED))
                        .containsEntry("send_welcome_email", expected));
    }

    /** Ready messages in {@code queue} by a passive declare (no statistics lag). */
    private long readyMessages(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-pika-interop");
             Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }
}
