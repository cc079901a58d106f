package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.WorkerModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code producer-app send} and {@code status}, run in-process through picocli against the shared
 * broker: what they print, their exit codes, and what lands in the queue.
 */
class SendCommandTest {

    private static final Logger log = LoggerFactory.getLogger(SendCommandTest.class);

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** What one run returned and printed. */
    record Run(int exitCode, String out, String err) {
    }

    /** The {@code echo} task type, registered the way a team registers its own. */
    static final class EchoTasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("echo", ObjectNode.class, Echo.class);
        }
    }

    /** Returns the payload without {@code task_type}. */
    static final class Echo implements TaskHandler<ObjectNode, ObjectNode> {
        @Override
        public ObjectNode handle(ObjectNode payload, TaskContext context) {
            ObjectNode copy = payload.deepCopy();
            copy.remove("task_type");
            return copy;
        }
    }

    @Test
    void sendPrintsTheMessageIdAndPutsAPersistentTaskInTheQueue() throws Exception {
        String queue = declared(queues.unique("send"));

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "send_welcome_email",
                "--field", "user_id=123", "--field", "email=user@example.com", "--field", "user_name=John Doe");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        String id = run.out().strip();
        assertThat(id).matches(UUID_PATTERN);
        GetResponse task = get(queue);
        assertThat(task).as("the task in '%s'", queue).isNotNull();
        assertThat(task.getProps().getDeliveryMode()).as("delivery_mode").isEqualTo(2);
        assertThat(task.getProps().getMessageId()).isEqualTo(id);
        assertThat(task.getProps().getType()).isEqualTo("send_welcome_email");
        assertThat(task.getProps().getContentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(task.getBody())).isEqualTo(JSON.readTree(
                "{\"task_type\": \"send_welcome_email\", \"user_id\": 123, \"email\": \"user@example.com\","
                        + " \"user_name\": \"John Doe\"}"));
    }

    @Test
    void sendToAQueueThatDoesNotExistExitsFiveAsUnroutable() throws Exception {
        String queue = queues.unique("missing");

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(run.err()).contains("unroutable").contains("'" + queue + "'").doesNotContain("\tat ");
        assertThat(run.out()).isBlank();
        assertThatThrownBy(() -> readyMessages(queue)).as("send never creates the queue").isInstanceOf(IOException.class);
    }

    @Test
    void countPutsThatManyTasksEachWithItsOwnId() throws Exception {
        String queue = declared(queues.unique("count"));

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--count", "5");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.out()).contains("sent 5 noop task(s)");
        assertThat(readyMessages(queue)).isEqualTo(5);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            GetResponse task = get(queue);
            assertThat(task.getProps().getDeliveryMode()).isEqualTo(2);
            ids.add(task.getProps().getMessageId());
        }
        assertThat(ids).hasSize(5);
    }

    @Test
    void jsonAndFieldsMergeAndJsonNumbersStayNumbers() throws Exception {
        String queue = declared(queues.unique("merge"));

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "send_welcome_email",
                "--json", "{\"user_id\": 42, \"email\": \"ann@example.com\", \"tags\": [\"new\"]}",
                "--field", "user_name=Ann", "--field", "user_id=43", "--field", "score=1.5",
                "--field", "vip=true");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        JsonNode body = JSON.readTree(get(queue).getBody());
        assertThat(body).isEqualTo(JSON.readTree("{\"task_type\": \"send_welcome_email\", \"user_id\": 43,"
                + " \"email\": \"ann@example.com\", \"tags\": [\"new\"], \"user_name\": \"Ann\", \"score\": 1.5,"
                + " \"vip\": true}"));
        assertThat(body.get("user_id").isIntegralNumber()).as("user_id is a JSON number").isTrue();
        assertThat(body.get("score").isNumber()).isTrue();
        assertThat(body.get("vip").isBoolean()).isTrue();
    }

    @Test
    void waitWithoutAWorkerExitsFiveWhenTheTimeoutPasses() throws Exception {
        String queue = declared(queues.unique("no-worker"));
        long started = System.nanoTime();

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "echo", "--wait",
                "--timeout", "2s");

        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(run.err()).startsWith("error: ").contains("within 2s").doesNotContain("\tat ");
        assertThat(run.out()).isBlank();
        // Not before the timeout; how much longer (JVM, connection, a loaded machine) is logged, not asserted.
        log.info("send --wait --timeout 2s without a worker took {} ms", tookMillis);
        assertThat(tookMillis).as("waited for the timeout").isGreaterThanOrEqualTo(2_000L);
        assertThat(readyMessages(queue)).as("the task is still there for a worker").isEqualTo(1);
    }

    @Test
    void waitWithoutAWorkerSaysThatNoResultArrived() throws Exception {
        String queue = declared(queues.unique("no-worker"));

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "echo", "--wait",
                "--timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(run.err()).contains("no result for task").contains("within 2s").contains("'" + queue + "'");
    }

    @Test
    void waitPrintsTheResultFromAWarrenWorker() throws Exception {
        String queue = queues.unique("wait");
        Injector injector = Guice.createInjector(
                new CoreModule(AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-echo-worker"),
                        RouteTable.allTo(queue)),
                new WorkerModule(WorkerSettings.of(queue)), new EchoTasks());
        Worker worker = injector.getInstance(Worker.class);
        AmqpConnections connections = injector.getInstance(AmqpConnections.class);
        try {
            worker.start();

            Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "echo", "--wait",
                    "--timeout", "10s", "--field", "greeting=hello", "--field", "n=7");

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
            JsonNode result = JSON.readTree(run.out());
            assertThat(result.path("status").asText()).isEqualTo("succeeded");
            assertThat(result.path("task_type").asText()).isEqualTo("echo");
            assertThat(result.path("task_id").asText()).matches(UUID_PATTERN);
            assertThat(result.path("attempts").asInt()).isEqualTo(1);
            assertThat(result.path("result")).isEqualTo(JSON.readTree("{\"greeting\": \"hello\", \"n\": 7}"));
            assertThat(worker.stats().succeededByType()).containsEntry("echo", 1L);
        } finally {
            worker.stop();
            connections.close();
        }
    }

    @Test
    void statusPrintsReadyMessagesAndConsumersOfTheQueueAndItsDeadLetterQueue() throws Exception {
        String queue = declared(queues.unique("status"));
        assertThat(run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--count", "3")
                .exitCode()).isZero();

        Run run = run("status", "--uri", broker.amqpUri(), "--queue", queue);

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.out().lines().toList())
                .containsExactly(queue + ": 3 ready, 0 consumers", queue + ".dlq: does not exist");
    }

    @Test
    void statusCountsConsumers() throws Exception {
        String queue = declared(queues.unique("status-consumers"));
        try (Connection connection = broker.connect("warren-test-status-consumer")) {
            Channel channel = connection.createChannel();
            channel.basicConsume(queue, false, (tag, delivery) -> { }, tag -> { });

            Run run = run("status", "--uri", broker.amqpUri(), "--queue", queue);

            assertThat(run.out()).contains(queue + ": 0 ready, 1 consumers");
        }
    }

    /** Runs {@code producer-app args} in this JVM, capturing stdout and stderr. */
    @Test
    void sendWithDelayLeavesTheQueueEmptyUntilDueThenTheTaskArrivesWithItsDueAt() throws Exception {
        String queue = declared(queues.unique("send-delay"));
        Instant sent = Instant.now();

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--delay", "3s");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        String id = run.out().strip();
        assertThat(readyMessages(queue)).as("not there before due").isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> readyMessages(queue) == 1);
        GetResponse task = get(queue);
        Instant due = Instant.parse(task.getProps().getHeaders().get("x-warren-due-at").toString());
        assertThat(Instant.now()).isAfterOrEqualTo(due);
        assertThat(due).isAfterOrEqualTo(sent.plusSeconds(3));
        assertThat(task.getProps().getMessageId()).isEqualTo(id);
        assertThat(task.getProps().getType()).isEqualTo("noop");
    }

    @Test
    void sendWithDelayToAQuorumQueueTypeWaitsInTheQuorumDelayLevels() throws Exception {
        String queue = queues.unique("send-delay-quorum");
        try (Connection connection = broker.connect("warren-test-send");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        }

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--queue-type", "quorum",
                "--type", "noop", "--delay", "2s");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> readyMessages(queue) == 1);
        GetResponse task = get(queue);
        assertThat(task.getProps().getMessageId()).isEqualTo(run.out().strip());
        // 2 s = bit 1: it waited in the quorum level 1 (x-death names the queues that dead-lettered it).
        assertThat(task.getProps().getHeaders().get("x-death").toString()).contains("queue=warren.delay.q.1");
        Run wrong = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--queue-type", "stream",
                "--type", "noop", "--delay", "2s");
        assertThat(wrong.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(wrong.err()).contains("queue type must be classic or quorum, was 'stream'");
    }

    @Test
    void sendAtAnInstantIsHeldUntilThenAndDelayWithAtIsAUsageError() throws Exception {
        String queue = declared(queues.unique("send-at"));
        Instant at = Instant.now().plusSeconds(2);

        Run run = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--at", at.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> readyMessages(queue) == 1);
        assertThat(Instant.now()).isAfterOrEqualTo(at);
        Run both = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--delay", "1s",
                "--at", at.toString());
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("--delay and --at");
    }

    @Test
    void aDelayOrInstantBeyondTheLongestDelayIsAUsageErrorNamingTheLimit() throws Exception {
        String queue = declared(queues.unique("send-far"));

        Run delay = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--delay", "100000d");
        Run at = run("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "noop", "--at", "2999-01-01T00:00:00Z");

        assertThat(delay.exitCode()).as(delay.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(delay.err()).isEqualTo("error: --delay must be at most 3106 days (about 8.5 years), was 100000 days"
                + System.lineSeparator());
        assertThat(at.exitCode()).as(at.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(at.err()).isEqualTo("error: --at must be at most 3106 days (about 8.5 years) from now, was"
                + " 2999-01-01T00:00:00Z" + System.lineSeparator());
        assertThat(readyMessages(queue)).isZero();
    }

    private static Run run(String... args) throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = ExitCodes.commandLine(new ProducerApp())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int code = CompletableFuture.supplyAsync(() -> cli.execute(args)).get(30, TimeUnit.SECONDS);
        return new Run(code, out.toString(), err.toString());
    }

    private String declared(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-send");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        }
        return queue;
    }

    private long readyMessages(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-send");
             Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private GetResponse get(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-send");
             Channel channel = connection.createChannel()) {
            return channel.basicGet(queue, true);
        }
    }
}
