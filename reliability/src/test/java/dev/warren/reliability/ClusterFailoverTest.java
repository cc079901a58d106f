package dev.warren.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault scenario 6: a three-node cluster on this machine loses the node that leads the work
 * queue while a load runs. The work queue is a quorum queue ({@code --queue-type quorum}, so are
 * its retry queues and DLQ); workers and the load get all three addresses and connect wherever
 * amqp-client's shuffled address list puts them. The leader node is stopped: a follower takes
 * over, clients connected to the stopped node reconnect to another, and consumers move on.
 */
@Tag(FaultHarness.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFailoverTest {

    private static final int TASKS = 3000;
    /** 30 s of load: the rabbitmqctl queries before the fault take seconds each on a busy machine. */
    private static final int RATE = 100;
    /** Connection names: the load's, and the workers' consuming ones ({@code warren-worker@<name>}, no suffix). */
    private static final String LOAD = "warren-load@";
    private static final String WORKER = "warren-worker@";

    private LocalCluster cluster;

    @TempDir
    Path directory;

    @BeforeAll
    void startCluster() {
        cluster = LocalCluster.start(3);
    }

    @AfterAll
    void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The node stopped is the queue's leader, and where it leads is arranged first (with
     * {@code transfer_leadership}, as maintenance mode does): on the node, other than the load's,
     * where most workers consume, so that the stop takes the leader and those consumers'
     * connections at once. The load's own connection must survive: {@code producer-app load} gets
     * its results through direct reply-to, whose address belongs to its channel, so results
     * published after that channel died would be dropped and counted as missing (a limit of the
     * load generator's counting, not a Warren loss; a publisher losing its broker is scenario 5).
     *
     * <p>Why duplicates are possible: a worker consuming on the stopped node loses its channel
     * with the acks it had not sent; a task whose result it had published already is redelivered,
     * counted as a failed attempt, and runs again, so the load gets a second result. A worker
     * publishing through the stopped node gets no confirm for a result that may have arrived, so
     * it leaves that task unacknowledged, to be redelivered and run again, with the same effect.
     */
    @Test
    void stoppingTheQueueLeaderNodeLosesNoTaskAndConsumersMoveOn() {
        String queue = TestQueues.unique("fault-cluster");
        long began = System.nanoTime();
        List<String> args = List.of("--demo", "--addresses", cluster.addresses(), "--queue", queue, "--queue-type", "quorum",
                "--heartbeat", "5s", "--startup-timeout", "60s", "--retry-delays", "100ms",
                "--retry-max-attempts", "10", "--concurrency", "2", "--prefetch", "2");
        try (var fleet = new WorkerFleet(directory, "clustered", args)) {
            fleet.start(3);
            PrivateRabbitNode any = cluster.nodes().get(0);
            long loadStart = System.nanoTime();
            LoadDriver.Run load = LoadDriver.start(List.of("--uri", "amqp://guest:guest@127.0.0.1/",
                    "--addresses", cluster.addresses(), "--queue", queue, "--count", String.valueOf(TASKS),
                    "--rate", String.valueOf(RATE), "--types", "sleep=1,noop=1", "--await-results", "--timeout", "120s",
                    "--duplicate-grace", "2s"));
            // Few rabbitmqctl calls: each takes seconds on a busy machine, and the load runs meanwhile.
            List<LocalCluster.ClientConnection> seen = await("the load's connection").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.connections(any), l -> l.stream().anyMatch(c -> c.name().startsWith(LOAD)));
            PrivateRabbitNode loadNode = seen.stream().filter(c -> c.name().startsWith(LOAD)).findFirst()
                    .flatMap(c -> cluster.nodeAt(c.port())).orElseThrow();
            // Each client picks a node at random: all three workers may consume on the load's node
            // (1 in 27), and then stopping another node would not test that consumers move on.
            while (!consumesElsewhere(seen, loadNode)) {
                assertThat(fleet.all()).as("workers started, none consuming on a node other than the load's")
                        .hasSizeLessThan(8);
                fleet.start(1);
                seen = cluster.connections(any);
            }
            List<LocalCluster.ClientConnection> clients = seen;
            // The node to stop: not the load's, and the one where most workers consume, so that
            // their consumers must move to another node as well as to another leader.
            PrivateRabbitNode victim = cluster.nodes().stream().filter(n -> n != loadNode)
                    .max(Comparator.comparingLong(n -> consumingConnections(clients, n))).orElseThrow();
            long consumersOnVictim = consumingConnections(clients, victim);
            assertThat(consumersOnVictim).as("worker consumers on the node to stop").isPositive();
            PrivateRabbitNode leader = cluster.leaderOf(queue, any).orElseThrow();
            boolean moved = leader != victim;
            if (moved) {
                cluster.transferLeadership(queue, victim, any);
            }
            PrivateRabbitNode survivor = loadNode;

            await("the leader of " + queue + " on the node to stop").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> cluster.leaderOf(queue, survivor), l -> l.isPresent() && l.get() == victim);
            assertThat(load.isDone()).as("the load still runs when the leader's node stops").isFalse();
            long stopAt = System.nanoTime();
            double stopIntoLoad = (stopAt - loadStart) / 1e9;
            victim.stop();
            double stopSeconds = (System.nanoTime() - stopAt) / 1e9;
            PrivateRabbitNode newLeader = await("a new leader of " + queue).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> cluster.leaderOf(queue, survivor), l -> l.isPresent() && l.get() != victim)
                    .orElseThrow();
            double failoverSeconds = (System.nanoTime() - stopAt) / 1e9;

            LoadSummary summary = load.await(Duration.ofMinutes(3));
            fleet.terminateAll(Duration.ofSeconds(30));
            long retried = fleet.all().stream().flatMap(w -> w.summary().stream())
                    .mapToLong(WorkerProcess.Summary::retried).sum();
            LoadSummary.Results results = summary.results();
            FaultHarness.report("6 3-node cluster, quorum queue leader node stopped", String.format(Locale.ROOT,
                    "sent=%d confirmed=%d answered=%d lost=%d duplicates=%d dead_lettered=%d"
                            + " worker_consumers_on_stopped_node=%d leader_moved_there_first=%s"
                            + " stopped_at=%.1fs_into_load node_stop=%.1fs new_leader_after=%.1fs"
                            + " redelivered_counted_as_retries=%d"
                            + " total=%.1fs load=%.1fs",
                    summary.sent(), summary.confirmed(), results.answered(), results.missing(), results.duplicates(),
                    results.deadLettered(), consumersOnVictim, moved, stopIntoLoad, stopSeconds,
                    failoverSeconds, retried, (System.nanoTime() - began) / 1e9, summary.seconds()));

            assertThat(newLeader).isNotSameAs(victim);
            assertThat(summary.exitCode()).as("load's exit code\n%s\n%s", summary.json(), summary.stderr()).isZero();
            assertThat(summary.sent()).isEqualTo(TASKS);
            assertThat(summary.confirmed()).isEqualTo(TASKS);
            assertThat(results.missing()).as("lost tasks").isZero();
            assertThat(results.completed()).as("tasks that succeeded").isEqualTo(TASKS);
            assertThat(results.deadLettered()).isZero();
            assertThat(results.unexpected()).isZero();
            for (WorkerProcess worker : fleet.all()) {
                String connection = WORKER + worker.name();
                if (clients.stream().anyMatch(c -> c.name().equals(connection) && c.port() == victim.port())) {
                    assertThat(worker.log()).as("%s consumed on the stopped node", worker)
                            .contains("connection '" + connection + "' recovered");
                }
                assertThat(worker.log()).contains(WorkerProcess.STOPPED);
            }
            assertThat(FaultHarness.queueDepth(survivor, queue)).isZero();
            assertThat(FaultHarness.queueDepth(survivor, queue + ".dlq")).isZero();
        }
    }

    /** Whether a worker consumes on a node other than {@code loadNode}. */
    private boolean consumesElsewhere(List<LocalCluster.ClientConnection> clients, PrivateRabbitNode loadNode) {
        return cluster.nodes().stream().anyMatch(n -> n != loadNode && consumingConnections(clients, n) > 0);
    }

    private static long consumingConnections(List<LocalCluster.ClientConnection> clients, PrivateRabbitNode node) {
        return clients.stream().filter(c -> c.port() == node.port() && c.name().startsWith(WORKER)
                && !c.name().endsWith("-publish")).count();
    }
}
