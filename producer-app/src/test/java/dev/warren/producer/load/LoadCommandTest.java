package dev.warren.producer.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
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
import dev.warren.producer.ProducerApp;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code producer-app load} against the shared broker: its accounting of dead-lettered, duplicate
 * and missing results is exact.
 */
@Timeout(60)
class LoadCommandTest {

    private static final Logger log = LoggerFactory.getLogger(LoadCommandTest.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** What one run returned and printed. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    /** Payload of {@code fail}, as worker-app's demo type reads it. */
    record Fail(Integer times) {
    }

    /** {@code noop} and {@code fail} as worker-app bundles them. */
    static final class LoadTasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask("noop", JsonNode.class, Noop.class);
            bindTask("fail", Fail.class, FailFirst.class);
        }
    }

    static final class Noop implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            return null;
        }
    }

    /** Fails the first {@code times} attempts, like the demo type. */
    static final class FailFirst implements TaskHandler<Fail, Map<String, Integer>> {
        @Override
        public Map<String, Integer> handle(Fail payload, TaskContext context) {
            if (payload.times() != null && context.attempt() <= payload.times()) {
                throw new IllegalStateException("planned failure of attempt " + context.attempt());
            }
            return Map.of("attempt", context.attempt());
        }
    }

    @Test
    void failRatioTasksAreReportedExactlyAsDeadLettered() throws Exception {
        String queue = queues.unique("load-dlq");
        // The ladder set short: 2 attempts, 100 ms apart.
        RetrySettings retry = RetrySettings.custom().maxAttempts(2).delays("100ms").build();
        Injector worker = Guice.createInjector(
                new CoreModule(AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-load-worker"),
                        RouteTable.allTo(queue)),
                new WorkerModule(WorkerSettings.of(queue).withConcurrency(2).withPrefetch(20)),
                new RetryDlxModule(retry, WorkQueueType.classic()), new LoadTasks());
        try {
            worker.getInstance(Worker.class).start();

            // 300 tasks: every 20th (15) fails every attempt; 'fail' of the mix fails once, then succeeds.
            Run run = run("--queue", queue, "--count", "300", "--types", "noop=3,fail=1", "--fail-ratio", "0.05",
                    "--publishers", "2", "--await-results", "--timeout", "20s", "--duplicate-grace", "300ms");

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
            JsonNode report = run.json();
            assertThat(report.path("sent").asLong()).isEqualTo(300);
            assertThat(report.path("confirmed").asLong()).isEqualTo(300);
            assertThat(report.path("dead_letter_tasks").asLong()).isEqualTo(15);
            JsonNode results = report.path("results");
            assertThat(results.path("dead_lettered").asLong()).isEqualTo(15);
            assertThat(results.path("completed").asLong()).isEqualTo(285);
            assertThat(results.path("missing").asLong()).isZero();
            assertThat(results.path("duplicates").asLong()).isZero();
            assertThat(results.path("unexpected").asLong()).isZero();
            assertThat(results.path("end_to_end").path("count").asLong()).isEqualTo(285);
            assertThat(worker.getInstance(Worker.class).stats().count(dev.warren.core.spi.TaskOutcome.DEAD_LETTERED))
                    .as("the worker's own count").isEqualTo(15);
        } finally {
            worker.getInstance(Worker.class).stop();
            worker.getInstance(AmqpConnections.class).close();
        }
    }

    @Test
    void aResultPublishedTwiceIsCountedAsADuplicate() throws Exception {
        String queue = queues.unique("load-dup");
        try (Connection connection = broker.connect("warren-test-double-replier");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            // A stand-in worker that answers every task twice, as a redelivered task's worker could.
            channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    for (int i = 0; i < 2; i++) {
                        reply(getChannel(), properties, "succeeded");
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });

            Run run = run("--queue", queue, "--count", "50", "--await-results", "--timeout", "20s",
                    "--duplicate-grace", "500ms");

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
            JsonNode results = run.json().path("results");
            assertThat(results.path("completed").asLong()).isEqualTo(50);
            assertThat(results.path("duplicates").asLong()).isEqualTo(50);
            assertThat(results.path("missing").asLong()).isZero();
            assertThat(results.path("dead_lettered").asLong()).isZero();
        }
    }

    @Test
    void aReplyQueueKeepsResultsSentWhileTheLoadsConnectionIsDown() throws Exception {
        String queue = queues.unique("load-replyq");
        String replyQueue = queues.unique("load-replyq-results");
        var management = broker.management().orElseThrow();
        List<AMQP.BasicProperties> tasks = new CopyOnWriteArrayList<>();
        try (Connection connection = broker.connect("warren-test-late-replier");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            // A stand-in worker that takes every task and answers only once the test says so.
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    tasks.add(properties);
                }
            });

            CompletableFuture<Run> load = CompletableFuture.supplyAsync(() -> uncheckedRun("--queue", queue,
                    "--count", "50", "--reply-queue", replyQueue, "--timeout", "30s", "--duplicate-grace", "500ms"));
            await().atMost(Duration.ofSeconds(20)).until(() -> tasks.size() == 50);
            assertThat(tasks).allSatisfy(task -> assertThat(task.getReplyTo()).isEqualTo(replyQueue));
            // Cut the connection the load reads results on, then answer every task (one of them twice).
            String readerName = "warren-load@" + ProcessHandle.current().pid();
            // The management API lists a new connection after its next statistics tick.
            JsonNode reader = await().atMost(Duration.ofSeconds(15)).until(() -> management.connections().stream()
                    .filter(c -> readerName.equals(c.path("client_properties").path("connection_name").asText()))
                    .findFirst(), java.util.Optional::isPresent).orElseThrow();
            management.closeConnection(reader.path("name").asText());
            for (AMQP.BasicProperties task : tasks) {
                reply(channel, task, "succeeded");
            }
            reply(channel, tasks.get(7), "succeeded");

            Run run = load.get(40, TimeUnit.SECONDS);

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
            JsonNode results = run.json().path("results");
            assertThat(results.path("completed").asLong()).isEqualTo(50);
            assertThat(results.path("missing").asLong()).isZero();
            assertThat(results.path("duplicates").asLong()).isEqualTo(1);
            assertThat(results.path("unexpected").asLong()).isZero();
            assertThat(management.findQueue(replyQueue)).as("the run created the reply queue and removes it empty").isEmpty();
        }
    }

    @Test
    void aReplyQueueNamedAmqIsRefused() throws Exception {
        Run run = run("--queue", "unused", "--count", "1", "--reply-queue", "amq.rabbitmq.reply-to");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--reply-queue must name a queue of its own");
    }

    @Test
    void confirmedTasksWithoutAResultAreMissingWhenTheTimeoutPasses() throws Exception {
        String queue = queues.unique("load-missing");
        try (Connection connection = broker.connect("warren-test-load-missing");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            long started = System.nanoTime();

            Run run = run("--queue", queue, "--count", "40", "--await-results", "--timeout", "1s");

            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(run.exitCode()).as("no worker: not delivered").isEqualTo(ExitCodes.NOT_DELIVERED);
            JsonNode report = run.json();
            assertThat(report.path("confirmed").asLong()).isEqualTo(40);
            assertThat(report.path("results").path("missing").asLong()).isEqualTo(40);
            assertThat(report.path("results").path("completed").asLong()).isZero();
            // Not before the timeout; how much longer is logged, not asserted (a loaded machine).
            log.info("load --await-results --timeout 1s without a worker waited {} s and took {} ms",
                    report.path("results").path("waited_seconds").asDouble(), tookMillis);
            assertThat(report.path("results").path("waited_seconds").asDouble()).isGreaterThanOrEqualTo(1.0);
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).as("the tasks wait for a worker").isEqualTo(40);
        }
    }

    @Test
    void theTextSummaryNamesEveryCount() throws Exception {
        String queue = queues.unique("load-text");
        try (Connection connection = broker.connect("warren-test-load-text");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);

            Run run = runText("--queue", queue, "--count", "100", "--payload-bytes", "200", "--types",
                    "noop=1,send_welcome_email=1");

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
            assertThat(run.out()).contains("load: 100 task(s) to '" + queue + "'")
                    .contains("noop=50 send_welcome_email=50").containsPattern("sent +100")
                    .containsPattern("confirmed +100").containsPattern("nacked +0").containsPattern("returned +0")
                    .contains("publish rate").containsPattern("confirm latency +p50 .* p95 .* p99 .* max ");
            byte[] body = channel.basicGet(queue, true).getBody();
            assertThat(body.length).as("body padded to about 200 bytes").isBetween(190, 210);
            assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"padding\":\"xxx");
        }
    }

    @Test
    void aMissingQueueShowsAsReturnedAndExitsFive() throws Exception {
        String queue = queues.unique("load-nowhere");

        Run run = run("--queue", queue, "--count", "10");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(run.json().path("returned").asLong()).isEqualTo(10);
        assertThat(run.json().path("confirmed").asLong()).isZero();
    }

    @Test
    void aRateSendsOnScheduleForTheDuration() throws Exception {
        String queue = declared(queues.unique("load-rate"));

        Run run = run("--queue", queue, "--duration", "2s", "--rate", "100");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.json().path("sent").asLong()).isBetween(190L, 200L);
        assertThat(run.json().path("target_rate").asDouble()).isEqualTo(100.0);
        assertThat(run.err()).doesNotContain("cannot keep up");
    }

    @Test
    void aRateTheWindowCannotSustainIsWarnedAbout() throws Exception {
        String queue = declared(queues.unique("load-behind"));

        // One publish awaiting a confirm at a time cannot make a million per second.
        Run run = run("--queue", queue, "--duration", "2s", "--rate", "1000000", "--window", "1");

        assertThat(run.err()).contains("warning: cannot keep up with --rate 1000000/s");
        assertThat(run.json().path("max_lag_seconds").asDouble()).isGreaterThan(1.0);
        assertThat(run.json().path("sent").asLong()).as("stderr: %s", run.err()).isEqualTo(run.json().path("confirmed").asLong());
    }

    @Test
    void countAndDurationTogetherAreRefused() throws Exception {
        Run run = run("--queue", "unused", "--count", "10", "--duration", "1s");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("either --count N or --duration D");
    }

    private String declared(String queue) throws Exception {
        try (Connection connection = broker.connect("warren-test-load");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        }
        return queue;
    }

    private static void reply(Channel channel, AMQP.BasicProperties task, String status) throws IOException {
        String body = "{\"task_id\": \"" + task.getMessageId() + "\", \"task_type\": \"" + task.getType()
                + "\", \"status\": \"" + status + "\", \"result\": null, \"error\": null, \"attempts\": 1}";
        channel.basicPublish("", task.getReplyTo(),
                new AMQP.BasicProperties.Builder().correlationId(task.getMessageId()).build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private Run uncheckedRun(String... args) {
        try {
            return run(args);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Run run(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        all[0] = "load";
        all[1] = "--uri";
        all[2] = broker.amqpUri();
        all[3] = "--json";
        System.arraycopy(args, 0, all, 4, args.length);
        return execute(all);
    }

    private Run runText(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "load";
        all[1] = "--uri";
        all[2] = broker.amqpUri();
        System.arraycopy(args, 0, all, 3, args.length);
        return execute(all);
    }

    private static Run execute(String... args) throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = ExitCodes.commandLine(new ProducerApp())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int code = CompletableFuture.supplyAsync(() -> cli.execute(args)).get(45, TimeUnit.SECONDS);
        return new Run(code, out.toString(), err.toString());
    }
}
