package dev.warren.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault scenario 4: the network between clients and broker fails while a load runs. Every
 * client, the workers and the load, reaches the broker through a {@link TcpProxy}, which cuts
 * all connections (sockets reset, no AMQP close) three times, then stalls them: sockets stay
 * open, no byte moves either way, so only heartbeats can tell. The workers run with a 2 s
 * heartbeat and must declare their stalled connections dead by themselves; once the proxy
 * forwards again, automatic recovery reconnects them.
 *
 * <p>The load is {@link TrackedLoad} (results to a durable queue): it goes through the proxy too,
 * and {@code producer-app load}'s direct reply-to would drop every result published after its
 * connection was cut. The load keeps the default 30 s heartbeat, so it rides the stall out on
 * the same connection, its publishes just waiting for their confirms.
 */
@Tag(FaultHarness.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CutConnectionsTest {

    private static final int TASKS = 3000;
    private static final double RATE = 100;
    private static final int WORKERS = 2;
    /** Two per worker (consuming, publishing) and two of the load (publishing, reading results). */
    private static final int CLIENT_CONNECTIONS = 2 * WORKERS + 2;
    private static final Duration STALL = Duration.ofSeconds(9);
    /** How a worker logs a connection its heartbeat declared dead: {@code connection '<name>' lost: ...}. */
    private static final String HEARTBEAT_LOSS = " lost: MissedHeartbeatException";
    /** What a worker logs when automatic recovery brought one of its connections back. */
    private static final String RECOVERED = "' recovered";

    private PrivateRabbitNode node;
    private TcpProxy proxy;

    @TempDir
    Path directory;

    @BeforeAll
    void startNodeAndProxy() {
        node = FaultHarness.startNode();
        proxy = TcpProxy.start(node.port());
    }

    @AfterAll
    void closeNodeAndProxy() {
        if (proxy != null) {
            proxy.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /**
     * Counts: every publish is confirmed or reported failed to the load (a cut catches the
     * publishes in flight and those made while its connection recovers; the load does not send
     * them again), every confirmed task is answered, none is dead-lettered, and both connections
     * of every worker were declared dead by the 2 s heartbeat during the stall.
     *
     * <p>Why duplicates are possible: a worker whose connection is cut after it published a task's
     * result but before the broker got its ack leaves the task unacknowledged; the broker
     * redelivers it, Warren counts that as a failed attempt and runs it again through the retry
     * ladder, so the requester gets a second result. A stalled connection does the same to
     * whatever its worker had in flight. At-least-once allows that; the load counts it.
     */
    @Test
    void cutAndStalledConnectionsRecoverAndLoseNoTask() throws Exception {
        String queue = TestQueues.unique("fault-proxy");
        long began = System.nanoTime();
        List<String> args = List.of("--demo", "--uri", proxy.amqpUri(), "--queue", queue, "--heartbeat", "2s",
                "--startup-timeout", "60s", "--retry-delays", "100ms", "--retry-max-attempts", "10",
                "--concurrency", "2", "--prefetch", "2");
        try (var fleet = new WorkerFleet(directory, "proxied", args)) {
            fleet.start(WORKERS);
            var payload = JsonNodeFactory.instance.objectNode().put("ms", 5);
            try (TrackedLoad load = TrackedLoad.builder(proxy.amqpUri(), queue).count(TASKS).rate(RATE)
                    .task("sleep", payload).start()) {
                int cuts = 0;
                for (int i = 0; i < 3; i++) {
                    awaitAllConnected();
                    FaultHarness.pause(Duration.ofSeconds(2));
                    cuts += proxy.cutAll();
                }
                awaitAllConnected();
                FaultHarness.pause(Duration.ofSeconds(2));
                List<Long> recoveriesBefore = fleet.all().stream().map(w -> count(w.log(), RECOVERED)).toList();
                long stalledAt = System.nanoTime();
                proxy.stall();
                FaultHarness.pause(STALL);
                proxy.resume();
                long resumedAt = System.nanoTime();
                assertThat(load.doneSending()).as("the load still ran when the stall ended").isFalse();
                awaitRecovered(fleet, recoveriesBefore);
                double stalledSeconds = (resumedAt - stalledAt) / 1e9;
                double reconnectedAfter = (System.nanoTime() - resumedAt) / 1e9;

                TrackedLoad.Summary summary = load.await(Duration.ofMinutes(2), Duration.ofSeconds(2));
                fleet.terminateAll(Duration.ofSeconds(30));
                long retried = fleet.all().stream().flatMap(w -> w.summary().stream())
                        .mapToLong(WorkerProcess.Summary::retried).sum();
                long heartbeatLosses = fleet.all().stream().mapToLong(w -> count(w.log(), HEARTBEAT_LOSS)).sum();
                FaultHarness.report("4 cut x3 + stall through a TCP proxy", String.format(Locale.ROOT,
                        "%s connections_cut=%d stalled=%.1fs reconnected_after_resume=%.1fs"
                                + " connections_declared_dead_by_heartbeat=%d redelivered_counted_as_retries=%d"
                                + " total=%.1fs",
                        summary.line(), cuts, stalledSeconds, reconnectedAfter, heartbeatLosses, retried,
                        (System.nanoTime() - began) / 1e9));

                assertThat(cuts).as("connections cut").isGreaterThanOrEqualTo(3 * CLIENT_CONNECTIONS);
                assertThat(summary.sent()).isEqualTo(TASKS);
                assertThat(summary.unsettled()).as("publishes neither confirmed nor reported failed").isZero();
                assertThat(summary.confirmed() + summary.failed()).isEqualTo(TASKS);
                assertThat(summary.lost()).as("confirmed tasks without a result").isZero();
                assertThat(summary.answered()).isEqualTo(summary.confirmed());
                assertThat(summary.deadLettered()).isZero();
                assertThat(summary.unexpected()).isZero();
                for (WorkerProcess worker : fleet.all()) {
                    String connection = "connection 'warren-worker@" + worker.name();
                    assertThat(worker.log()).as("%s declared both its stalled connections dead by heartbeat", worker)
                            .contains(connection + "'" + HEARTBEAT_LOSS, connection + "-publish'" + HEARTBEAT_LOSS);
                }
                assertThat(FaultHarness.queueDepth(node, queue)).isZero();
                assertThat(FaultHarness.queueDepth(node, queue + ".dlq")).isZero();
            }
        }
    }

    /**
     * Waits until both connections of every worker have recovered once more than {@code before}
     * counted: a stalled connection is declared dead by the worker's heartbeat, and recovery
     * succeeds once the proxy forwards again.
     */
    private static void awaitRecovered(WorkerFleet fleet, List<Long> before) {
        await("every worker's two connections recovered after the stall")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (int i = 0; i < before.size(); i++) {
                        if (count(fleet.all().get(i).log(), RECOVERED) < before.get(i) + 2) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Waits until every worker and the load are connected through the proxy again. */
    private void awaitAllConnected() {
        await("all " + CLIENT_CONNECTIONS + " client connections through the proxy")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> proxy.connections() >= CLIENT_CONNECTIONS);
    }

    private static long count(String text, String word) {
        long n = 0;
        for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + word.length())) {
            n++;
        }
        return n;
    }
}
