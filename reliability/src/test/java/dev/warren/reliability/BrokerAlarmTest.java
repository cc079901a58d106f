package dev.warren.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.worker.WorkerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault scenario 8 of the fault suite: a broker resource alarm blocks publishers. On the
 * {@linkplain FaultHarness#sharedNode() shared private node},
 * {@code rabbitmqctl set_vm_memory_high_watermark 0.000001} raises the memory alarm while a load
 * runs; the broker stops reading from every connection that publishes. The test restores the
 * watermark whatever happens.
 */
@Tag(FaultHarness.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerAlarmTest {

    private static final Pattern METRICS_PORT = Pattern.compile("metrics on http://[^:]+:(\\d+)/metrics");
    private static final Pattern BLOCKED_GAUGE = Pattern.compile("(?m)^warren_connection_blocked(?:\\{[^}]*\\})? (\\S+)$");
    private static final String BLOCKED_LOG = "broker blocked publishing on";
    private static final String UNBLOCKED_LOG = "broker unblocked";

    private final HttpClient http = HttpClient.newHttpClient();
    private PrivateRabbitNode node;

    @TempDir
    Path directory;

    @BeforeAll
    void startNode() {
        node = FaultHarness.sharedNode();
    }

    /**
     * Scenario 8. Warren reports the block: the worker logs "broker blocked publishing on ..."
     * and its {@code warren_connection_blocked} gauge reads 1; a producer gets no confirm while
     * blocked and holds no more than its window of publishes. Once the watermark is restored the
     * worker logs "broker unblocked", the gauge reads 0, and both loads complete with every task
     * answered.
     *
     * <p>Why duplicates are possible (and are usually 0 here): a worker waits up to 30 s for the
     * confirm of a result it published; a block longer than that makes it leave the task
     * unacknowledged for redelivery, so its result may arrive twice. This block lasts a few
     * seconds.
     */
    @Test
    void aMemoryAlarmBlocksPublishersWarrenReportsItAndResumes() throws Exception {
        String queue = TestQueues.unique("fault-alarm");
        long began = System.nanoTime();
        // Two single-consumer workers fall behind 30 ms tasks at 80/s: a backlog builds, so the
        // workers still publish results while the alarm is on. (The broker blocks a connection
        // only when it publishes: a worker that publishes nothing is never blocked.)
        try (var fleet = new WorkerFleet(directory, "alarm", FaultHarness.workerArgs(node.amqpUri(), queue,
                "--concurrency", "1"))) {
            WorkerProcess observed = fleet.start(1, List.of("--metrics-port", "0")).get(0);
            fleet.start(1);
            int metricsPort = metricsPort(observed);
            assertThat(blockedGauge(metricsPort)).as("warren_connection_blocked before the alarm").isZero();

            LoadDriver.Run cli = LoadDriver.start(List.of("--uri", node.amqpUri(), "--queue", queue,
                    "--count", "1000", "--rate", "60", "--window", "100", "--types", "noop=1,echo=1",
                    "--await-results", "--timeout", "120s", "--duplicate-grace", "2s"));
            var payload = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("ms", 30);
            try (TrackedLoad tracked = TrackedLoad.builder(node.amqpUri(), queue).count(600).rate(80).window(50)
                    .task("sleep", payload).start()) {
                await("a backlog of 100 tasks").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> tracked.answered() >= 50 && FaultHarness.queueDepth(node, queue) >= 100);

                node.rabbitmqctl("set_vm_memory_high_watermark", "0.000001");
                long alarmAt = System.nanoTime();
                observed.awaitLog(BLOCKED_LOG, Duration.ofSeconds(30));
                await("warren_connection_blocked = 1").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).until(() -> blockedGauge(metricsPort) == 1);
                double reportedAfter = (System.nanoTime() - alarmAt) / 1e9;
                // Confirms already on their way when the alarm went off may still arrive; then none.
                FaultHarness.pause(Duration.ofSeconds(1));
                long confirmedBlocked = tracked.confirmed();
                FaultHarness.pause(Duration.ofSeconds(4));
                long confirmedStill = tracked.confirmed();
                int outstandingBlocked = tracked.outstandingNow();
                assertThat(cli.isDone()).as("load still runs while blocked").isFalse();

                node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");
                long clearedAt = System.nanoTime();
                observed.awaitLog(UNBLOCKED_LOG, Duration.ofSeconds(30));
                await("warren_connection_blocked = 0").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).until(() -> blockedGauge(metricsPort) == 0);
                double resumedAfter = (System.nanoTime() - clearedAt) / 1e9;

                TrackedLoad.Summary summary = tracked.await(Duration.ofMinutes(2), Duration.ofSeconds(1));
                LoadSummary load = cli.await(Duration.ofMinutes(3));
                LoadSummary.Results results = load.results();
                FaultHarness.report("8 memory alarm blocks publishers", String.format(Locale.ROOT,
                        "load: sent=%d confirmed=%d answered=%d lost=%d duplicates=%d exit=%d load_seconds=%.1f"
                                + " | tracked: %s confirmed_while_blocked=%d->%d outstanding_while_blocked=%d"
                                + " | reported_blocked_after=%.1fs unblocked_reported_after=%.1fs total=%.1fs",
                        load.sent(), load.confirmed(), results.answered(), results.missing(), results.duplicates(),
                        load.exitCode(), load.seconds(), summary.line(), confirmedBlocked, confirmedStill,
                        outstandingBlocked, reportedAfter, resumedAfter, (System.nanoTime() - began) / 1e9));

                assertThat(confirmedStill).as("confirms while blocked").isEqualTo(confirmedBlocked);
                assertThat(outstandingBlocked).as("publishes held while blocked").isLessThanOrEqualTo(50);
                assertThat(summary.maxOutstanding()).isLessThanOrEqualTo(50);
                assertThat(observed.log()).contains(BLOCKED_LOG).contains(UNBLOCKED_LOG);

                assertThat(load.exitCode()).as("load's exit code\n%s\n%s", load.json(), load.stderr()).isZero();
                assertThat(load.confirmed()).isEqualTo(1000);
                assertThat(results.missing()).as("lost tasks").isZero();
                assertThat(results.answered()).isEqualTo(1000);
                assertThat(results.deadLettered()).isZero();
                assertThat(summary.sent()).isEqualTo(600);
                assertThat(summary.confirmed()).isEqualTo(600);
                assertThat(summary.lost()).isZero();
                assertThat(summary.unsettled()).isZero();
            } finally {
                // Never leave the node blocked for a later test, whatever failed.
                node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");
            }
        }
    }

    private static int metricsPort(WorkerProcess worker) {
        worker.awaitLog("metrics on http://", Duration.ofSeconds(30));
        Matcher m = METRICS_PORT.matcher(worker.log());
        assertThat(m.find()).as("metrics port in the log of %s", worker).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private double blockedGauge(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = BLOCKED_GAUGE.matcher(response.body());
        assertThat(m.find()).as("warren_connection_blocked in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
