package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.task.TaskTimeLimitExceeded;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskContext;
import dev.warren.core.testing.FrameFillingHeaders;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskResult;
import dev.warren.core.wire.TaskTooLargeException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every kind of failure ends in {@code <queue>.dlq} with its reason; none is lost, none loops. */
class FailuresTest {

    private static final Logger log = LoggerFactory.getLogger(FailuresTest.class);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    private static List<GetResponse> drain(Channel channel, String queue, int expected) throws Exception {
        List<GetResponse> messages = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            GetResponse response;
            while ((response = channel.basicGet(queue, true)) != null) {
                messages.add(response);
            }
            return messages.size() >= expected;
        });
        return messages;
    }

    private static String header(GetResponse message, String name) {
        Object value = message.getProps().getHeaders().get(name);
        return value == null ? null : value.toString();
    }

    @Test
    void aTaskWhoseHeadersFillAFrameIsDeadLetteredWithoutThemInsteadOfLooping() throws Exception {
        String queue = queues.unique("frame-filling");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start();
             Connection connection = broker.connect("frame-filling-test");
             Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, FrameFillingHeaders.properties("big-headers", connection.getFrameMax()),
                    "{\"task_type\": \"refuse\"}".getBytes(StandardCharsets.UTF_8));

            GetResponse dead = drain(channel, queue + ".dlq", 1).get(0);

            assertThat(dead.getProps().getMessageId()).isEqualTo("big-headers");
            assertThat(dead.getProps().getHeaders()).doesNotContainKey(FrameFillingHeaders.HEADER)
                    .containsEntry(TaskHeaders.HEADERS_DROPPED, 1);
            assertThat(header(dead, TaskHeaders.ERROR_MESSAGE)).isEqualTo("user 42 does not exist");
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"task_type\": \"refuse\"}");
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
        }
    }

    @Test
    void badJsonUnknownTypeInvalidPayloadAndPermanentFailuresAreDeadLetteredWithTheirReason() throws Exception {
        String queue = queues.unique("failures");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start();
             Connection connection = broker.connect("failures-test");
             Channel channel = connection.createChannel()) {
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            Map<String, String> bodies = Map.of(
                    "bad-json", "{not json",
                    "unknown-type", "{\"task_type\": \"no_such_type\"}",
                    "invalid-payload", "{\"task_type\": \"greet\", \"user_id\": \"not a number\", \"user_name\": \"x\"}",
                    "failed-validation", "{\"task_type\": \"greet\", \"user_id\": 1}",
                    "permanent", "{\"task_type\": \"refuse\"}",
                    "retryable", "{\"task_type\": \"explode\"}");
            for (var entry : bodies.entrySet()) {
                channel.basicPublish("", queue, persistent.builder().messageId(entry.getKey()).build(),
                        entry.getValue().getBytes(StandardCharsets.UTF_8));
            }

            List<GetResponse> dead = drain(channel, queue + ".dlq", bodies.size());

            assertThat(dead).hasSize(bodies.size());
            Map<String, GetResponse> byId = new java.util.HashMap<>();
            dead.forEach(m -> byId.put(m.getProps().getMessageId(), m));
            assertThat(byId).containsOnlyKeys(bodies.keySet());
            assertThat(header(byId.get("bad-json"), TaskHeaders.ERROR_MESSAGE)).contains("not valid JSON");
            assertThat(header(byId.get("unknown-type"), TaskHeaders.ERROR_MESSAGE)).contains("unknown task type 'no_such_type'");
            assertThat(header(byId.get("invalid-payload"), TaskHeaders.ERROR_MESSAGE)).contains("does not fit Greeting");
            assertThat(header(byId.get("failed-validation"), TaskHeaders.ERROR_MESSAGE)).contains("user_name is required");
            assertThat(header(byId.get("permanent"), TaskHeaders.ERROR)).endsWith("PermanentTaskFailure");
            assertThat(header(byId.get("retryable"), TaskHeaders.ERROR)).isEqualTo(IllegalStateException.class.getName());
            for (GetResponse message : dead) {
                assertThat(header(message, TaskHeaders.QUEUE)).isEqualTo(queue);
                assertThat(Instant.parse(header(message, TaskHeaders.FAILED_AT))).isBefore(Instant.now().plusSeconds(1));
                assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
                assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo(bodies.get(message.getProps().getMessageId()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> warren.worker().tasksInFlight() == 0);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
            assertThat(warren.worker().stats().count(TaskOutcome.DEAD_LETTERED)).isEqualTo(bodies.size());
        }
    }

    @Test
    void aBodyOverTheSizeLimitIsDeadLetteredUnread() throws Exception {
        String queue = queues.unique("oversize");
        var settings = dev.warren.core.config.WorkerSettings.of(queue).withMaxMessageBytes(2048);
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "oversize", new TestTasks()).start();
             Connection connection = broker.connect("oversize-test");
             Channel channel = connection.createChannel()) {
            String padding = "x".repeat(4000);
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("big").build(),
                    ("{\"task_type\": \"greet\", \"user_name\": \"" + padding + "\"}").getBytes(StandardCharsets.UTF_8));
            GetResponse dead = drain(channel, queue + ".dlq", 1).get(0);
            assertThat(header(dead, TaskHeaders.ERROR_MESSAGE)).contains("over this worker's limit of 2048 bytes");
            assertThat(dead.getBody()).hasSizeGreaterThan(4000);
            assertThat(warren.get(TestTasks.Journal.class).payloads).isEmpty();
        }
    }

    @Test
    void aRequestOverTheSizeLimitGetsADeadLetteredTooLargeResultOnceItsCopyIsInTheDlq() throws Exception {
        String queue = queues.unique("oversize-request");
        var settings = WorkerSettings.of(queue).withMaxMessageBytes(2048);
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "oversize-request", new TestTasks()).start();
             Connection connection = broker.connect("oversize-request-test");
             Channel channel = connection.createChannel()) {
            OutgoingTask task = OutgoingTask.of("greet", CoreModule.newObjectMapper().createObjectNode()
                    .put("user_id", 1).put("user_name", "x".repeat(4000)));

            // Without the answer the requester would wait for its own timeout; 10 s is far more than it takes.
            TaskResult result = warren.publisher().request(task).get(10, TimeUnit.SECONDS);

            assertThat(result.status()).isEqualTo(TaskResult.DEAD_LETTERED);
            assertThat(result.taskId()).isEqualTo(task.id());
            assertThat(result.taskType()).isEqualTo("greet");
            assertThat(result.error()).startsWith(TaskTooLargeException.REASON + ": body of ")
                    .contains("over this worker's limit of 2048 bytes");
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount())
                    .as("the DLQ copy, confirmed before the answer").isEqualTo(1);
            assertThat(warren.get(TestTasks.Journal.class).payloads).isEmpty();
        }
    }

    @Test
    void aRawRequestOverTheLimitReadInMemoryIsAnsweredUnderItsCorrelationId(@TempDir Path temp) throws Exception {
        String queue = queues.unique("oversize-raw-request");
        var settings = WorkerSettings.of(queue).withMaxMessageBytes(2048);
        // The connection keeps only bodies over 1 MiB in files: this 4 KB one reaches the dispatcher's own check.
        var inMemory = new AbstractModule() {
            @Override
            protected void configure() {
                bind(OversizedBodies.class).toInstance(
                        new OversizedBodies(WorkerSettings.DEFAULT_MAX_MESSAGE_BYTES, temp));
            }
        };
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "oversize-raw-request",
                     new TestTasks(), inMemory).start();
             Connection connection = broker.connect("oversize-raw-request-test");
             Channel channel = connection.createChannel()) {
            String replyQueue = channel.queueDeclare().getQueue();
            // As RabbitMQ's RPC tutorial publishes: reply_to and correlation_id, no message_id.
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().replyTo(replyQueue).correlationId("rpc-7")
                            .build(),
                    ("{\"task_type\": \"greet\", \"user_name\": \"" + "x".repeat(4000) + "\"}").getBytes(StandardCharsets.UTF_8));

            GetResponse reply = await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.basicGet(replyQueue, true), Objects::nonNull);

            assertThat(reply.getProps().getCorrelationId()).isEqualTo("rpc-7");
            JsonNode answer = CoreModule.newObjectMapper().readTree(reply.getBody());
            assertThat(answer.path("status").asText()).isEqualTo(TaskResult.DEAD_LETTERED);
            assertThat(answer.path("error").asText()).startsWith(TaskTooLargeException.REASON + ": body of ")
                    .contains("over this worker's limit of 2048 bytes");
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void aDeadLetteredTaskWithReplyToSendsADeadLetteredResult() throws Exception {
        String queue = queues.unique("dlresult");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), queue, new TestTasks()).start()) {
            TaskResult result = warren.publisher()
                    .request(OutgoingTask.of("refuse", CoreModule.newObjectMapper().createObjectNode()))
                    .get(10, TimeUnit.SECONDS);
            assertThat(result.status()).isEqualTo(TaskResult.DEAD_LETTERED);
            assertThat(result.error()).isEqualTo("user 42 does not exist");
        }
    }

    @Test
    void anAttemptPastItsTimeLimitIsInterruptedAndFailsAsRetryable() throws Exception {
        String queue = queues.unique("timelimit");
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), WorkerSettings.of(queue), "w",
                     new TestTasks(), new RecordingFailurePolicy.Module()).start();
             Connection connection = broker.connect("timelimit-test");
             Channel channel = connection.createChannel()) {
            long started = System.nanoTime();
            warren.publisher().publish("limited", CoreModule.newObjectMapper().createObjectNode().put("ms", 20_000))
                    .get(5, TimeUnit.SECONDS);

            GetResponse dead = drain(channel, queue + ".dlq", 1).get(0);

            // The semantic bounds: not before the 300 ms limit, and before the handler's 20 s sleep
            // could have ended by itself. How long it took in between is logged, not asserted.
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            log.info("a 20 s attempt with a 300 ms time limit was dead-lettered after {} ms", took.toMillis());
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(20));
            assertThat(header(dead, TaskHeaders.ERROR)).isEqualTo(TaskTimeLimitExceeded.class.getName());
            assertThat(header(dead, TaskHeaders.ERROR_MESSAGE)).contains("time limit of 300ms");
            TestTasks.Journal journal = warren.get(TestTasks.Journal.class);
            assertThat(journal.count("limited")).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> !journal.interrupted.isEmpty());
            assertThat(journal.interrupted).extracting(TaskContext::taskType).containsOnly("limited");
            // Retryable: with the retry-dlx module it would climb the ladder instead of being parked at once.
            assertThat(warren.get(RecordingFailurePolicy.class).failures)
                    .singleElement().satisfies(failure -> {
                        assertThat(failure.cause()).isInstanceOf(TaskTimeLimitExceeded.class);
                        assertThat(failure.permanent()).as("permanent").isFalse();
                    });
        }
    }

    @Test
    void aTimeLimitAtOrAboveTheBrokersConsumerTimeoutIsRefusedAtStart() {
        String queue = queues.unique("refused");
        var settings = WorkerSettings.of(queue).withBrokerConsumerTimeout(Duration.ofMillis(300));
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "refused", new TestTasks())) {
            assertThatThrownBy(() -> warren.worker().start())
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("time limit of task type 'limited' (300ms) must be below the broker's consumer_timeout (300ms)");
        }
    }

    @Test
    void inProcessRetriesOfATimeLimitedTypeMustEndBeforeTheBrokersConsumerTimeout() {
        String queue = queues.unique("refused-runs");
        // 300 ms is below 1 s, but three runs of 300 ms and two waits of 100 ms are not.
        var settings = WorkerSettings.of(queue).withBrokerConsumerTimeout(Duration.ofSeconds(1));
        var retries = new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder.newSetBinder(binder(), TaskInterceptor.class).addBinding().toInstance(new TwoRetries());
            }
        };
        try (WarrenHarness warren = new WarrenHarness(broker.amqpUri(), settings, "refused-runs", new TestTasks(), retries)) {
            assertThatThrownBy(() -> warren.worker().start())
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageContaining("time limit of task type 'limited' (300ms), with the in-process retries of one"
                            + " delivery (--retry-in-process) up to 1.1s in all, must be below the broker's"
                            + " consumer_timeout (1s) stated by --broker-consumer-timeout");
            assertThat(warren.worker().consumersRegistered()).isZero();
        }
    }

    /** Runs an attempt up to three times, 100 ms apart, as retry-dlx's in-process retries do with 2. */
    static final class TwoRetries implements TaskInterceptor {
        private static final Duration WAIT = Duration.ofMillis(100);

        @Override
        public Object intercept(TaskContext context, Callable<Object> attempt) throws Exception {
            for (int retry = 0; ; retry++) {
                try {
                    return attempt.call();
                } catch (RuntimeException e) {
                    if (retry == 2) {
                        throw e;
                    }
                    Thread.sleep(WAIT.toMillis());
                }
            }
        }

        @Override
        public Duration longestRun(String taskType, Duration attempt) {
            return attempt.multipliedBy(3).plus(WAIT.multipliedBy(2));
        }
    }

    /** Core's default policy (dead-letter every failure), recording each failure it is given. */
    @Singleton
    static class RecordingFailurePolicy implements FailurePolicy {
        final List<TaskFailure> failures = new CopyOnWriteArrayList<>();
        private final DeadLetterOnFailure deadLetters;

        @Inject
        RecordingFailurePolicy(DeadLetterOnFailure deadLetters) {
            this.deadLetters = deadLetters;
        }

        @Override
        public TaskOutcome handle(TaskFailure failure) throws Exception {
            failures.add(failure);
            return deadLetters.handle(failure);
        }

        /** Installs the policy in place of core's default. */
        static final class Module extends AbstractModule {
            @Override
            protected void configure() {
                OptionalBinder.newOptionalBinder(binder(), FailurePolicy.class).setBinding().to(RecordingFailurePolicy.class);
            }
        }
    }
}
