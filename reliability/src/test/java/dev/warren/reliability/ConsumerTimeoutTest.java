package dev.warren.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.spi.RedeliveredTaskException;
import dev.warren.core.task.TaskTimeLimitExceeded;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import dev.warren.worker.WorkerProcess;
import dev.warren.worker.demo.DemoSettings;
import dev.warren.worker.demo.DemoTasks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault scenario 7: a task that runs past the broker's {@code consumer_timeout}. The node has a
 * 5 s timeout and checks it every second ({@code channel_tick_interval}), so the broker closes a
 * channel with {@code PRECONDITION_FAILED} about 5 s after a delivery that is still unacked.
 *
 * <p>Without a time limit the broker decides: it closes the consumer's channel and requeues the
 * task; the worker's watchdog consumes again on a new channel by itself; the redelivery counts
 * as a failed attempt, so after its attempts the task is in {@code Q.dlq} with a reason instead
 * of looping. With a time limit below the timeout, the worker decides first: it interrupts the
 * task and retries it through the ladder, and the broker never closes a channel.
 */
@Tag(FaultHarness.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerTimeoutTest {

    private static final Duration CONSUMER_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_ATTEMPTS = 3;
    /** What a worker logs when the broker closed a consumer's channel (QueueConsumer). */
    private static final String BROKER_CLOSED = "the broker closed its channel (406 PRECONDITION_FAILED";
    /** What it logs when it consumes again on a new channel (not the "...; consuming again in 1s" warning). */
    private static final String CONSUMING_AGAIN = "' consuming again";

    private PrivateRabbitNode node;

    @TempDir
    Path directory;

    @BeforeAll
    void startNode() {
        node = FaultHarness.startNode(PrivateRabbitNode.builder()
                .management(false)
                .configLine("consumer_timeout = " + CONSUMER_TIMEOUT.toMillis())
                .advancedConfig("[{rabbit, [{channel_tick_interval, 1000}]}]."));
    }

    @AfterAll
    void closeNode() {
        if (node != null) {
            node.close();
        }
    }

    /**
     * Two worker-app processes run a load of fast tasks while one {@code sleep} task of 8 s, with
     * no time limit, outlives the 5 s consumer timeout on each of its 3 attempts.
     *
     * <p>Duplicates: none are possible here, and none are allowed. With prefetch 1 the closed
     * channel holds only the long task, so no fast task is requeued with it; the long task sends
     * no result (it has no {@code reply_to}) and is counted by its DLQ entry.
     */
    @Test
    void aTaskPastTheConsumerTimeoutIsRedeliveredCountedAndDeadLetteredWhileOtherTasksFlow() throws Exception {
        String queue = TestQueues.unique("fault-ctimeout");
        long began = System.nanoTime();
        List<String> args = List.of("--demo", "--uri", node.amqpUri(), "--queue", queue, "--heartbeat", "5s",
                "--startup-timeout", "60s", "--retry-delays", "100ms",
                "--retry-max-attempts", String.valueOf(MAX_ATTEMPTS),
                "--concurrency", "2", "--broker-consumer-timeout", "5s");
        try (var fleet = new WorkerFleet(directory, "ctimeout", args)) {
            fleet.start(2);
            String longTask = "long-" + queue;
            publish(queue, longTask, "sleep", "{\"task_type\": \"sleep\", \"ms\": "
                    + TimeLimitedTasks.SLOW.toMillis() + "}");
            long publishedAt = System.nanoTime();
            LoadDriver.Run load = LoadDriver.start(List.of("--uri", node.amqpUri(), "--queue", queue,
                    "--count", "3000", "--rate", "100", "--types", "noop", "--await-results", "--timeout", "60s",
                    "--duplicate-grace", "2s"));

            await("the long task in " + queue + ".dlq").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> FaultHarness.queueDepth(node, queue + ".dlq") == 1);
            double parkedAfter = (System.nanoTime() - publishedAt) / 1e9;
            boolean loadRanMeanwhile = !load.isDone();
            LoadSummary summary = load.await(Duration.ofMinutes(2));
            // Never looping: longer than another timeout plus a tick, and nothing more happens.
            long closesAtPark = countInLogs(fleet, BROKER_CLOSED);
            FaultHarness.pause(CONSUMER_TIMEOUT.plusSeconds(2));
            long closes = countInLogs(fleet, BROKER_CLOSED);
            long resubscribed = countInLogs(fleet, CONSUMING_AGAIN);
            Map<String, Object> headers = takeDeadLetter(queue, longTask);
            fleet.terminateAll(Duration.ofSeconds(30));
            long retried = fleet.all().stream().flatMap(w -> w.summary().stream())
                    .mapToLong(WorkerProcess.Summary::retried).sum();
            LoadSummary.Results results = summary.results();
            FaultHarness.report("7a task past consumer_timeout, no time limit", String.format(Locale.ROOT,
                    "sent=%d confirmed=%d answered=%d lost=%d duplicates=%d dead_lettered=%d"
                            + " channels_closed_by_broker=%d consumed_again=%d long_task_dlq_attempt=%s error=%s"
                            + " parked_after=%.1fs redeliveries_counted_as_retries=%d total=%.1fs load=%.1fs",
                    summary.sent(), summary.confirmed(), results.answered(), results.missing(), results.duplicates(),
                    results.deadLettered(), closes, resubscribed, headers.get(TaskHeaders.ATTEMPT),
                    headers.get(TaskHeaders.ERROR), parkedAfter, retried, (System.nanoTime() - began) / 1e9,
                    summary.seconds()));

            assertThat(loadRanMeanwhile).as("fast tasks still flowing while the long task was retried").isTrue();
            assertThat(summary.exitCode()).as("load's exit code\n%s\n%s", summary.json(), summary.stderr()).isZero();
            assertThat(summary.confirmed()).isEqualTo(3000);
            assertThat(results.missing()).as("lost tasks").isZero();
            assertThat(results.completed()).isEqualTo(3000);
            assertThat(results.duplicates()).isZero();
            assertThat(results.unexpected()).isZero();
            assertThat(closes).as("channels the broker closed: one per attempt of the long task")
                    .isEqualTo(MAX_ATTEMPTS).isEqualTo(closesAtPark);
            assertThat(resubscribed).as("consumers that consumed again by themselves").isEqualTo(closes);
            assertThat(attempt(headers)).isEqualTo(MAX_ATTEMPTS);
            assertThat(headers.get(TaskHeaders.ERROR)).hasToString(RedeliveredTaskException.class.getName());
            assertThat(headers.get(TaskHeaders.ERROR_MESSAGE).toString()).contains("consumer timeout");
            assertThat(retried).as("redeliveries republished with attempt + 1").isEqualTo(MAX_ATTEMPTS - 1);
            assertThat(FaultHarness.queueDepth(node, queue)).isZero();
        }
    }

    /**
     * An in-process worker with {@link TimeLimitedTasks} (time limit 2 s, below the 5 s timeout)
     * and the demo types runs a load in which every 200th task is slow on its first attempt; one
     * more task is slow on every attempt. The worker interrupts each slow attempt at 2 s and
     * retries it through the ladder: the slow-once tasks succeed on attempt 2, the always-slow one
     * is dead-lettered with {@link TaskTimeLimitExceeded} after 3 attempts. The broker closes no
     * channel: a close would add a redelivery, counted as one more retry than the slow attempts.
     *
     * <p>Duplicates: none are possible. No channel or connection closes, so nothing is redelivered.
     */
    @Test
    void aTimeLimitBelowTheConsumerTimeoutStopsTheTaskFirstAndRetriesItThroughTheLadder() throws Exception {
        String queue = TestQueues.unique("fault-timelimit");
        long began = System.nanoTime();
        Duration limit = Duration.ofSeconds(2);
        WorkerSettings settings = WorkerSettings.of(queue).withConcurrency(4)
                .withBrokerConsumerTimeout(CONSUMER_TIMEOUT);
        RetrySettings retry = RetrySettings.custom().maxAttempts(MAX_ATTEMPTS).delays("100ms").build();
        try (WarrenHarness worker = new WarrenHarness(node.amqpUri(), settings, "time-limit",
                new RetryDlxModule(retry, WorkQueueType.classic()), new DemoTasks(new DemoSettings(Duration.ZERO)),
                new TimeLimitedTasks(limit)).start()) {
            String alwaysSlow = "always-slow-" + queue;
            publish(queue, alwaysSlow, TimeLimitedTasks.ALWAYS_SLOW,
                    "{\"task_type\": \"" + TimeLimitedTasks.ALWAYS_SLOW + "\"}");
            LoadSummary summary = LoadDriver.run(List.of("--uri", node.amqpUri(), "--queue", queue,
                    "--count", "2000", "--rate", "200",
                    "--types", "noop=199," + TimeLimitedTasks.SLOW_FIRST_ATTEMPT + "=1",
                    "--await-results", "--timeout", "60s", "--duplicate-grace", "2s"), Duration.ofMinutes(2));
            await("the always-slow task in " + queue + ".dlq").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> FaultHarness.queueDepth(node, queue + ".dlq") == 1);
            Map<String, Object> headers = takeDeadLetter(queue, alwaysSlow);
            long slowOnce = sentOfType(summary, TimeLimitedTasks.SLOW_FIRST_ATTEMPT);
            var stats = worker.worker().stats();
            LoadSummary.Results results = summary.results();
            FaultHarness.report("7b task with a time limit below consumer_timeout", String.format(Locale.ROOT,
                    "sent=%d confirmed=%d answered=%d lost=%d duplicates=%d slow_first_attempt=%d retried=%d"
                            + " dead_lettered=%d always_slow_dlq_attempt=%s error=%s total=%.1fs load=%.1fs",
                    summary.sent(), summary.confirmed(), results.answered(), results.missing(), results.duplicates(),
                    slowOnce, stats.count(TaskOutcome.RETRIED), stats.count(TaskOutcome.DEAD_LETTERED),
                    headers.get(TaskHeaders.ATTEMPT), headers.get(TaskHeaders.ERROR), (System.nanoTime() - began) / 1e9,
                    summary.seconds()));

            assertThat(summary.exitCode()).as("load's exit code\n%s\n%s", summary.json(), summary.stderr()).isZero();
            assertThat(summary.confirmed()).isEqualTo(2000);
            assertThat(results.missing()).as("lost tasks").isZero();
            assertThat(results.completed()).as("every task succeeded, the slow ones on attempt 2").isEqualTo(2000);
            assertThat(results.duplicates()).isZero();
            assertThat(slowOnce).isEqualTo(10);
            assertThat(stats.count(TaskOutcome.RETRIED)).as("slow attempts stopped by the time limit and retried")
                    .isEqualTo(slowOnce + MAX_ATTEMPTS - 1);
            assertThat(stats.count(TaskOutcome.DEAD_LETTERED)).isEqualTo(1);
            assertThat(attempt(headers)).isEqualTo(MAX_ATTEMPTS);
            assertThat(headers.get(TaskHeaders.ERROR)).hasToString(TaskTimeLimitExceeded.class.getName());
            assertThat(worker.worker().consumersRegistered()).isEqualTo(4);
        }
    }

    /** Publishes one persistent task straight with amqp-client, confirmed, without {@code reply_to}. */
    private void publish(String queue, String messageId, String type, String json) throws Exception {
        try (Connection connection = node.broker().connect("fault-ctimeout-publish");
             Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", queue, true, new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .contentType(TaskHeaders.CONTENT_TYPE).messageId(messageId).type(type).build(),
                    json.getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    /** Takes the one message of {@code <queue>.dlq}, checks it is {@code messageId}, returns its headers. */
    private Map<String, Object> takeDeadLetter(String queue, String messageId) throws Exception {
        try (Connection connection = node.broker().connect("fault-ctimeout-dlq");
             Channel channel = connection.createChannel()) {
            GetResponse response = channel.basicGet(queue + ".dlq", true);
            assertThat(response).as("a message in %s.dlq", queue).isNotNull();
            assertThat(response.getProps().getMessageId()).isEqualTo(messageId);
            return response.getProps().getHeaders();
        }
    }

    private static int attempt(Map<String, Object> headers) {
        return headers.get(TaskHeaders.ATTEMPT) instanceof Number n ? n.intValue() : -1;
    }

    private static long countInLogs(WorkerFleet fleet, String text) {
        long n = 0;
        for (WorkerProcess worker : fleet.all()) {
            String log = worker.log();
            for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + text.length())) {
                n++;
            }
        }
        return n;
    }

    private static long sentOfType(LoadSummary summary, String type) throws Exception {
        return dev.warren.core.CoreModule.newObjectMapper().readTree(summary.json()).path("sent_by_type")
                .path(type).asLong();
    }
}
