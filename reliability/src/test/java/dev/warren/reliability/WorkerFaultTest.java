package dev.warren.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault scenarios 2 and 3 of the fault suite: worker processes that die ({@code kill -9}) or are
 * told to stop ({@code SIGTERM}) while a load runs, on the {@linkplain FaultHarness#sharedNode()
 * shared private node}, which they do not touch.
 */
@Tag(FaultHarness.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerFaultTest {

    private PrivateRabbitNode node;

    @TempDir
    Path directory;

    @BeforeAll
    void startNode() {
        node = FaultHarness.sharedNode();
    }

    /**
     * Scenario 2. Four replicas with several unacknowledged tasks each; the oldest is killed
     * five times while {@code load} runs, and a replacement started each time. The broker
     * redelivers what the dead worker held; a redelivery counts as an attempt, so it goes once
     * through the (100 ms) retry ladder and then completes.
     *
     * <p>Why duplicates are possible: a worker killed after it published a task's result but
     * before its ack reached the broker leaves the task unacknowledged; the broker redelivers it
     * and it runs again, so its requester gets a second result. At-least-once allows that and
     * load counts it; it never loses one.
     */
    @Test
    void killedWorkersLoseNoTaskTheirUnackedTasksAreRedelivered() {
        String queue = TestQueues.unique("fault-kill9");
        long began = System.nanoTime();
        try (var fleet = new WorkerFleet(directory, "kill9", FaultHarness.workerArgs(node.amqpUri(), queue,
                "--concurrency", "2", "--prefetch", "4"))) {
            // Four replicas, so that two or more run at each kill although a replacement takes a
            // few seconds to start.
            fleet.start(4);
            LoadDriver.Run load = LoadDriver.start(List.of("--uri", node.amqpUri(), "--queue", queue,
                    "--count", "2400", "--rate", "160", "--types", "sleep=1,noop=1", "--await-results",
                    "--timeout", "120s", "--duplicate-grace", "2s"));
            List<String> kills = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                FaultHarness.pause(Duration.ofMillis(1_500));
                // Other replicas keep running: kill only while another one consumes too.
                List<WorkerProcess> consuming = fleet.awaitConsumingAtLeast(2);
                WorkerProcess victim = consuming.get(0);
                victim.kill();
                kills.add(victim.name() + (load.isDone() ? " (after the load)" : ""));
                fleet.startAsync(1);
            }
            assertThat(load.isDone()).as("the load still ran at the fifth kill").isFalse();
            LoadSummary summary = load.await(Duration.ofMinutes(3));
            fleet.awaitConsuming();
            fleet.terminateAll(Duration.ofSeconds(30));
            long redeliveries = fleet.countInLogs(WorkerProcess.REDELIVERY_COUNTED);
            double seconds = (System.nanoTime() - began) / 1e9;
            LoadSummary.Results results = summary.results();
            FaultHarness.report("2 kill -9 of a worker x5", String.format(Locale.ROOT,
                    "sent=%d confirmed=%d answered=%d lost=%d duplicates=%d dead_lettered=%d"
                            + " redeliveries_counted_as_attempts=%d killed=%s duration=%.1fs load=%.1fs",
                    summary.sent(), summary.confirmed(), results.answered(), results.missing(), results.duplicates(),
                    results.deadLettered(), redeliveries, kills, seconds, summary.seconds()));

            assertThat(summary.exitCode()).as("load's exit code\n%s\n%s", summary.json(), summary.stderr()).isZero();
            assertThat(summary.sent()).isEqualTo(2400);
            assertThat(summary.confirmed()).isEqualTo(2400);
            assertThat(results.missing()).as("lost tasks").isZero();
            assertThat(results.completed()).as("tasks that succeeded").isEqualTo(2400);
            assertThat(results.deadLettered()).isZero();
            assertThat(results.unexpected()).isZero();
            assertThat(redeliveries).as("redeliveries of the killed workers' tasks, counted as attempts").isPositive();
            assertThat(FaultHarness.queueDepth(node, queue)).isZero();
            assertThat(FaultHarness.queueDepth(node, queue + ".dlq")).isZero();
        }
    }

    /**
     * Scenario 3. Two replicas run {@code sleep} tasks (20 ms, so tasks are always in flight);
     * one gets SIGTERM mid-load. It cancels its consumers, finishes and acks what it runs within
     * its shutdown timeout, logs its summary and exits 0. Nothing is redelivered: no result says
     * attempts &gt; 1, no worker republished a task as a retry, and the workers together ran
     * exactly as many tasks as were sent.
     *
     * <p>No duplicates are possible here, and none are allowed: a graceful stop acks every task it
     * started before it closes its channels, so the broker has nothing to redeliver.
     */
    @Test
    void aTerminatedWorkerDrainsItsTasksNothingLostNothingRedelivered() throws Exception {
        String queue = TestQueues.unique("fault-sigterm");
        long began = System.nanoTime();
        try (var fleet = new WorkerFleet(directory, "term", FaultHarness.workerArgs(node.amqpUri(), queue,
                "--concurrency", "4", "--shutdown-timeout", "10s"))) {
            fleet.start(2);
            var payload = JsonNodeFactory.instance.objectNode().put("ms", 20);
            try (TrackedLoad load = TrackedLoad.builder(node.amqpUri(), queue).count(2000).rate(150)
                    .task("sleep", payload).start()) {
                FaultHarness.pause(Duration.ofSeconds(4));
                WorkerProcess victim = fleet.oldestLive();
                long answeredBefore = load.answered();
                long termAt = System.nanoTime();
                victim.terminate();
                int exit = victim.awaitExit(Duration.ofSeconds(30));
                double stopSeconds = (System.nanoTime() - termAt) / 1e9;
                assertThat(load.doneSending()).as("the load still ran when the worker stopped").isFalse();

                TrackedLoad.Summary summary = load.await(Duration.ofMinutes(2), Duration.ofSeconds(2));
                fleet.terminateAll(Duration.ofSeconds(30));
                List<WorkerProcess.Summary> summaries = fleet.all().stream()
                        .map(w -> w.summary().orElseThrow(() -> new AssertionError(w + " logged no summary")))
                        .toList();
                long ran = summaries.stream().mapToLong(WorkerProcess.Summary::succeeded).sum();
                long retried = summaries.stream().mapToLong(WorkerProcess.Summary::retried).sum();
                FaultHarness.report("3 SIGTERM to a worker", String.format(Locale.ROOT,
                        "%s terminated_exit=%d stopped_in=%.1fs ran_by_terminated=%d ran_by_all=%d retried=%d"
                                + " answered_before_sigterm=%d total=%.1fs",
                        summary.line(), exit, stopSeconds, victim.summary().map(WorkerProcess.Summary::succeeded)
                                .orElse(-1L), ran, retried, answeredBefore, (System.nanoTime() - began) / 1e9));

                assertThat(exit).as("exit code of the terminated worker\n%s", victim.log()).isZero();
                assertThat(victim.log()).contains(WorkerProcess.STOPPED).doesNotContain("still running after");
                assertThat(stopSeconds).as("seconds from SIGTERM to exit").isLessThan(10 + 5);
                assertThat(victim.summary().orElseThrow().succeeded()).as("tasks the terminated worker ran")
                        .isPositive();
                assertThat(summary.sent()).isEqualTo(2000);
                assertThat(summary.confirmed()).isEqualTo(2000);
                assertThat(summary.unsettled()).isZero();
                assertThat(summary.lost()).as("lost tasks").isZero();
                assertThat(summary.answered()).isEqualTo(2000);
                assertThat(summary.redelivered()).as("results with attempts > 1").isZero();
                assertThat(summary.duplicates()).isZero();
                assertThat(summary.deadLettered()).isZero();
                assertThat(retried).as("tasks republished as retries (a redelivery would be one)").isZero();
                assertThat(fleet.countInLogs(WorkerProcess.REDELIVERY_COUNTED)).as("redeliveries logged").isZero();
                assertThat(ran).as("tasks run by all workers").isEqualTo(2000);
            }
        }
    }
}
