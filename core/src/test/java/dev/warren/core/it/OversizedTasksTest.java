package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.spi.ConnectionListener;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskTooLargeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body over amqp-client's default inbound limit (64 MiB) but within the broker's
 * {@code max_message_size} (128 MiB) used to make amqp-client close the consuming connection
 * while reading it; recovery reconnected, the broker redelivered the same message, and no task
 * behind it ever ran. Now such a body goes to a file as it arrives and the task to the DLQ whole.
 */
class OversizedTasksTest {

    /** One byte over amqp-client's default {@code ConnectionFactory#setMaxInboundMessageBodySize}. */
    private static final int JUST_OVER_AMQP_CLIENT_LIMIT = 64 * 1024 * 1024 + 1;

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final Events events = new Events();

    @Test
    void aBodyOverAmqpClientsLimitIsDeadLetteredWholeAndTheTasksBehindItRun() throws Exception {
        String queue = queues.unique("oversized");
        Set<Path> filesBefore = keptBodyFiles();
        byte[] large = randomBytes(JUST_OVER_AMQP_CLIENT_LIMIT, 64);
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks(), events).start();
             Connection connection = largeMessages().newConnection("oversized-test");
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            greet(channel, queue, "before");
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("large")
                    .headers(Map.of("x-producer", "kept")).build(), large);
            for (int i = 1; i <= 3; i++) {
                greet(channel, queue, "after-" + i);
            }
            channel.waitForConfirmsOrDie(60_000);
            long published = System.nanoTime();

            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            await().atMost(Duration.ofSeconds(120)).until(() -> journal.count("greet") == 4
                    && channel.messageCount(queue + ".dlq") == 1);
            System.out.printf("oversized: %d-byte task dead-lettered and the 3 tasks behind it ran %d ms after publishing%n",
                    large.length, (System.nanoTime() - published) / 1_000_000);

            GetResponse dead = channel.basicGet(queue + ".dlq", true);
            Map<String, Object> headers = dead.getProps().getHeaders();
            assertThat(dead.getProps().getMessageId()).isEqualTo("large");
            assertThat(String.valueOf(headers.get(TaskHeaders.ERROR))).isEqualTo(TaskTooLargeException.class.getName());
            assertThat(String.valueOf(headers.get(TaskHeaders.ERROR_MESSAGE)))
                    .startsWith("too_large: body of " + JUST_OVER_AMQP_CLIENT_LIMIT + " bytes is over this worker's limit of 1048576 bytes");
            assertThat(headers.get(TaskHeaders.BODY_BYTES)).isEqualTo((long) JUST_OVER_AMQP_CLIENT_LIMIT);
            assertThat(headers.get(TaskHeaders.QUEUE).toString()).isEqualTo(queue);
            assertThat(headers.get("x-producer").toString()).isEqualTo("kept");
            assertThat(headers).doesNotContainKey("x-warren-oversized-body");
            assertThat(sha256(dead.getBody())).isEqualTo(sha256(large));

            assertThat(journal.contexts).extracting(c -> c.messageId())
                    .containsExactly("before", "after-1", "after-2", "after-3");
            assertThat(events.recoveries).isEmpty();
            assertThat(events.tooLarge).containsExactly(queue + ":" + JUST_OVER_AMQP_CLIENT_LIMIT);
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
            assertThat(channel.messageCount(queue)).isZero();
            assertThat(keptBodyFiles()).isEqualTo(filesBefore);
        }
    }

    @Test
    void aProducersCopyOfTheInternalMarkerHeaderChangesNothing() throws Exception {
        String queue = queues.unique("forged-marker");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks(), events).start();
             Connection connection = broker.connect("forged-marker-test");
             Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("forged")
                    .headers(Map.of("x-warren-oversized-body", "00000000-0000-0000-0000-000000000000")).build(),
                    "{\"task_type\": \"greet\", \"user_id\": 1, \"user_name\": \"Ann\"}".getBytes(StandardCharsets.UTF_8));

            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            await().atMost(Duration.ofSeconds(15)).until(() -> journal.count("greet") == 1);
            assertThat(events.tooLarge).isEmpty();
            assertThat(channel.messageCount(queue + ".dlq")).isZero();
        }
    }

    @Test
    void aGracefulStopRequeuesAPrefetchedOversizedTaskWithItsWholeBody() throws Exception {
        String queue = queues.unique("oversized-stop");
        byte[] large = randomBytes(2 * 1024 * 1024, 2);
        WorkerSettings settings = WorkerSettings.of(queue).withPrefetch(2).withShutdownTimeout(Duration.ofSeconds(10));
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "oversized-stop", new TestTasks()).start();
             Connection connection = largeMessages().newConnection("oversized-stop-test");
             Channel channel = connection.createChannel()) {
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("block").build(),
                    "{\"task_type\": \"block\"}".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> warren.worker().tasksInFlight() == 1);
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("large").build(),
                    large);
            // The large one waits in the prefetch buffer (its body in a file) behind the blocked task.
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.messageCount(queue) == 0);

            var stopped = CompletableFuture.supplyAsync(() -> warren.worker().stop());
            // The consumer hands over the prefetched delivery once the running task is done.
            journal.gate.countDown();
            assertThat(stopped.get(15, TimeUnit.SECONDS)).isZero();
            assertThat(journal.count("block")).isEqualTo(1);
            // The broker applies the requeue on its own time: the count may lag behind stop() returning.
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.messageCount(queue) == 1);

            GetResponse back = channel.basicGet(queue, true);
            assertThat(back.getProps().getMessageId()).isEqualTo("large");
            assertThat(back.getProps().getHeaders()).isNull();
            assertThat(sha256(back.getBody())).isEqualTo(sha256(large));
            assertThat(channel.messageCount(queue + ".dlq")).isZero();
        }
    }

    @Test
    void aBodyThatCannotBeKeptGoesBackToTheQueueAndIsParkedOnceItCan(@TempDir Path temp) throws Exception {
        String queue = queues.unique("oversized-nodisk");
        Path missing = temp.resolve("not-yet");
        byte[] large = randomBytes(2 * 1024 * 1024, 3);
        var keptIn = new AbstractModule() {
            @Override
            protected void configure() {
                bind(OversizedBodies.class).toInstance(new OversizedBodies(WorkerSettings.DEFAULT_MAX_MESSAGE_BYTES, missing));
            }
        };
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), WorkerSettings.of(queue), "oversized-nodisk",
                     new TestTasks(), events, keptIn).start();
             LogCapture logs = LogCapture.of("dev.warren");
             Connection connection = largeMessages().newConnection("oversized-nodisk-test");
             Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("large").build(),
                    large);

            await().atMost(Duration.ofSeconds(20)).until(() -> logs.text().contains("task large from '" + queue
                    + "' too_large: body of 2097152 bytes is over this worker's limit of 1048576 bytes"
                    + " (--max-message-bytes), and it could not be kept for '" + queue + ".dlq'"));
            assertThat(channel.messageCount(queue + ".dlq")).isZero();
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isZero();

            Files.createDirectories(missing);
            await().atMost(Duration.ofSeconds(20)).until(() -> channel.messageCount(queue + ".dlq") == 1);
            GetResponse dead = channel.basicGet(queue + ".dlq", true);
            assertThat(sha256(dead.getBody())).isEqualTo(sha256(large));
            assertThat(channel.messageCount(queue)).isZero();
            assertThat(events.recoveries).isEmpty();
        }
    }

    private static void greet(Channel channel, String queue, String id) throws IOException {
        channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id).build(),
                ("{\"task_type\": \"greet\", \"user_id\": 7, \"user_name\": \"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** A test connection that can itself read the large dead-letter copy. */
    private ConnectionFactory largeMessages() {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setMaxInboundMessageBodySize(OversizedBodies.LARGEST_BROKER_MESSAGE);
        return factory;
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static Set<Path> keptBodyFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("warren-body-")).collect(Collectors.toSet());
        }
    }

    /** Records connection recoveries and too-large deliveries. */
    private static final class Events extends AbstractModule implements ConnectionListener, TaskListener {
        final List<String> recoveries = new CopyOnWriteArrayList<>();
        final List<String> tooLarge = new CopyOnWriteArrayList<>();

        @Override
        protected void configure() {
            Multibinder.newSetBinder(binder(), ConnectionListener.class).addBinding().toInstance(this);
            Multibinder.newSetBinder(binder(), TaskListener.class).addBinding().toInstance(this);
        }

        @Override
        public void recoveryStarted(String connectionName) {
            recoveries.add(connectionName);
        }

        @Override
        public void taskTooLarge(String queue, long bodyBytes) {
            tooLarge.add(queue + ":" + bodyBytes);
        }
    }
}
