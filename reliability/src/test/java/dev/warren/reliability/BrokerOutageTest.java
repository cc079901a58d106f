package dev.warren.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.TestQueues;
import dev.warren.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault scenarios 1 and 5 of the fault suite: the broker goes away while tasks are published
 * and processed. Both stop and start the {@linkplain FaultHarness#sharedNode() shared private node}
 * (its data survives; each test's queues are its own) and leave it running.
 */
@Tag(FaultHarness.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerOutageTest {

    private PrivateRabbitNode node;

    @TempDir
    Path directory;

    @BeforeAll
    void startNode() {
        node = FaultHarness.sharedNode();
    }

    /**
     * Scenario 1. Two workers and two loads run while the node is restarted three times; nobody
     * restarts the workers or the loads: their connections recover by themselves.
     *
     * <ul>
     *   <li>A {@link TrackedLoad} counts by task id with results in a durable queue: every task
     *       the broker confirmed has a result (lost = 0).
     *   <li>The real {@code producer-app load}, with {@code --reply-queue} (a durable result
     *       queue; direct reply-to cannot carry a result across a broker restart, see
     *       {@link LoadDriver}), counts the same way: every publish is confirmed or reported
     *       failed, none left unanswered, and every confirmed task has a result (missing = 0);
     *       it exits 5 because some publishes were not delivered.
     *   <li>The workers ran at least every confirmed task of both loads and never exited.
     * </ul>
     *
     * <p>Why duplicates are possible: a task whose result a worker published, but whose ack was
     * still on its way when the broker went down, is redelivered after the restart and runs again
     * (the broker marks it redelivered, the worker counts the attempt and retries it once through
     * the ladder), so a second result arrives. Publishes that failed during an outage may also
     * have arrived: the caller was told "failed, may or may not be delivered", and such tasks run.
     */
    @Test
    void threeBrokerRestartsDuringLoadLoseNoConfirmedTask() throws Exception {
        String queue = TestQueues.unique("fault-restart");
        long began = System.nanoTime();
        try (var fleet = new WorkerFleet(directory, "restart", FaultHarness.workerArgs(node.amqpUri(), queue,
                "--concurrency", "4", "--prefetch", "2"))) {
            fleet.start(2);
            LoadDriver.Run cli;
            TrackedLoad.Summary tracked;
            // A restart cycle takes 13 to 20 s here (a graceful stop 3 to 6 s, a start 7 to 13 s, the
            // clients' recovery 1 to 5 s). The tracked load runs until tasks flow again after the
            // third; load runs for a fixed 45 s, which outlasts the start of the third.
            try (TrackedLoad load = TrackedLoad.builder(node.amqpUri(), queue).count(6000).rate(40).window(50)
                    .start()) {
                cli = LoadDriver.start(List.of("--uri", node.amqpUri(), "--queue", queue, "--duration", "45s",
                        "--rate", "30", "--window", "50", "--timeout", "60s", "--reply-queue", queue + ".load-results",
                        "--duplicate-grace", "2s"));
                for (int i = 1; i <= 4; i++) {
                    // Before each restart, and after the last: publishers and workers have recovered
                    // by themselves, as shown by tasks answered since the previous restart.
                    long answered = load.answered();
                    await(() -> load.answered() >= answered + 40, Duration.ofSeconds(60));
                    if (i <= 3) {
                        assertThat(cli.isDone()).as("load still runs at restart %d", i).isFalse();
                        node.restart();
                    }
                }
                assertThat(load.doneSending()).as("the tracked load still ran after the third restart").isFalse();
                load.stopSending();
                tracked = load.await(Duration.ofMinutes(2), Duration.ofSeconds(2));
            }
            LoadSummary summary = cli.await(Duration.ofMinutes(2));
            fleet.awaitConsuming();
            assertThat(fleet.live()).as("workers that survived three restarts by themselves").hasSize(2);
            await(() -> FaultHarness.queueDepth(node, queue) == 0, Duration.ofSeconds(60));
            fleet.terminateAll(Duration.ofSeconds(30));
            long ran = fleet.all().stream().flatMap(w -> w.summary().stream())
                    .mapToLong(WorkerProcess.Summary::succeeded).sum();
            long recoveries = fleet.countInLogs("' recovered");
            FaultHarness.report("1 broker restart x3", String.format(Locale.ROOT,
                    "tracked: %s | load: sent=%d confirmed=%d failed=%d nacked=%d returned=%d unconfirmed=%d"
                            + " answered=%d missing=%d duplicates=%d exit=%d"
                            + " | workers ran=%d (>= %d confirmed) recoveries_logged=%d total=%.1fs",
                    tracked.line(), summary.sent(), summary.confirmed(), summary.failed(), summary.nacked(),
                    summary.returned(), summary.unconfirmed(), summary.results().answered(), summary.results().missing(),
                    summary.results().duplicates(), summary.exitCode(), ran,
                    tracked.answered() + summary.confirmed(), recoveries, (System.nanoTime() - began) / 1e9));

            assertThat(tracked.sent()).isGreaterThan(1000);
            assertThat(tracked.unsettled()).as("publishes neither confirmed nor reported failed").isZero();
            assertThat(tracked.confirmed() + tracked.failed()).isEqualTo(tracked.sent());
            assertThat(tracked.failed()).as("publishes during the outages, reported failed").isPositive();
            assertThat(tracked.lost()).as("confirmed tasks without a result").isZero();
            assertThat(tracked.deadLettered()).isZero();
            assertThat(tracked.unexpected()).isZero();

            assertThat(summary.everyPublishSettled()).as("load: every publish confirmed or reported failed\n%s",
                    summary.json()).isTrue();
            assertThat(summary.sent()).isGreaterThan(500);
            assertThat(summary.failed() + summary.nacked()).as("load: publishes reported not delivered").isPositive();
            assertThat(summary.results().missing()).as("load: confirmed tasks without a result\n%s", summary.json()).isZero();
            // A publish reported failed may still have arrived and run: answered can exceed confirmed.
            assertThat(summary.results().answered()).as("load: tasks answered").isGreaterThanOrEqualTo(summary.confirmed());
            assertThat(summary.results().deadLettered()).isZero();
            assertThat(summary.results().unexpected()).isZero();
            assertThat(summary.exitCode()).as("load exits 'not delivered' when publishes failed")
                    .isEqualTo(ExitCodes.NOT_DELIVERED);

            assertThat(recoveries).as("connection recoveries the workers logged (2 workers x 3 restarts, at least)")
                    .isGreaterThanOrEqualTo(6);
            assertThat(fleet.all()).allSatisfy(w -> assertThat(w.summary()).as("summary of %s", w).isPresent());
            // By count (load's ids are its own); duplicates could hide a loss here, the tracked load's
            // per-id count above cannot.
            assertThat(ran).as("tasks the workers ran: every confirmed task of both loads at least")
                    .isGreaterThanOrEqualTo(tracked.answered() + summary.confirmed());
            assertThat(FaultHarness.queueDepth(node, queue + ".dlq")).isZero();
        }
    }

    /**
     * Scenario 5. The node is stopped while {@code producer-app load} publishes (no workers run,
     * so the queue keeps exactly what the broker took), and started again. Every publish is
     * confirmed or reported failed to the caller, none is left unanswered; every confirmed task
     * is in the queue (by count for load, whose ids are its own; by id for a {@link TrackedLoad}
     * on a second queue). Memory stays bounded while the broker is away: the publisher never
     * holds more than the window of publishes awaiting a confirm, and none once all settled.
     *
     * <p>Duplicates here are publishes reported failed that arrived all the same (the broker
     * took the message but the connection dropped before its confirm): the queue may hold more
     * than was confirmed, never less.
     */
    @Test
    void publishesWhileTheBrokerIsGoneAreConfirmedOrReportedFailed() throws Exception {
        String queue = TestQueues.unique("fault-gone");
        String trackedQueue = queue + "-tracked";
        declare(queue);
        declare(trackedQueue);
        long began = System.nanoTime();
        AtomicLong maxOutstanding = new AtomicLong();
        LoadDriver.Run cli = LoadDriver.start(List.of("--uri", node.amqpUri(), "--queue", queue,
                "--count", "2400", "--rate", "150", "--window", "100", "--timeout", "30s"));
        TrackedLoad.Summary tracked;
        Set<String> confirmedIds;
        Set<String> sentIds;
        long outstandingAfter;
        try (TrackedLoad load = TrackedLoad.builder(node.amqpUri(), trackedQueue).count(2400).rate(150).window(100)
                .start()) {
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxOutstanding.accumulateAndGet(load.outstandingNow(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            FaultHarness.pause(Duration.ofSeconds(3));
            node.stop();
            FaultHarness.pause(Duration.ofSeconds(1));
            node.start();
            tracked = load.awaitSettled(Duration.ofSeconds(60));
            sampler.interrupt();
            outstandingAfter = load.outstandingNow();
            confirmedIds = load.confirmedIds();
            sentIds = load.sentIds();
        }
        LoadSummary summary = cli.await(Duration.ofMinutes(1));
        long depth = FaultHarness.queueDepth(node, queue);
        Set<String> received = drainIds(trackedQueue);
        Set<String> confirmedMissing = new HashSet<>(confirmedIds);
        confirmedMissing.removeAll(received);
        Set<String> foreign = new HashSet<>(received);
        foreign.removeAll(sentIds);
        FaultHarness.report("5 broker gone while load publishes", String.format(Locale.ROOT,
                "load: sent=%d confirmed=%d failed=%d nacked=%d unconfirmed=%d exit=%d queue_received=%d"
                        + " (>= confirmed, duplicates_or_unconfirmed_arrived=%d) | tracked: %s received=%d"
                        + " confirmed_not_received=%d max_outstanding_sampled=%d outstanding_after=%d total=%.1fs",
                summary.sent(), summary.confirmed(), summary.failed(), summary.nacked(), summary.unconfirmed(),
                summary.exitCode(), depth, depth - summary.confirmed(), tracked.line(), received.size(),
                confirmedMissing.size(), maxOutstanding.get(), outstandingAfter, (System.nanoTime() - began) / 1e9));

        assertThat(summary.everyPublishSettled()).as("load: every publish confirmed or reported failed\n%s",
                summary.json()).isTrue();
        assertThat(summary.sent()).isEqualTo(2400);
        assertThat(summary.failed()).as("load: publishes reported failed while the broker was away").isPositive();
        assertThat(summary.exitCode()).isEqualTo(ExitCodes.NOT_DELIVERED);
        assertThat(depth).as("tasks in the queue: every confirmed one").isGreaterThanOrEqualTo(summary.confirmed())
                .isLessThanOrEqualTo(summary.sent());

        assertThat(tracked.unsettled()).as("tracked publishes neither confirmed nor reported failed").isZero();
        assertThat(tracked.confirmed() + tracked.failed()).isEqualTo(2400);
        assertThat(tracked.failed()).isPositive();
        assertThat(confirmedMissing).as("confirmed tasks the broker does not have").isEmpty();
        assertThat(foreign).as("tasks in the queue that were never sent").isEmpty();
        assertThat(tracked.maxOutstanding()).as("publishes awaiting a confirm at worst").isLessThanOrEqualTo(100);
        assertThat(maxOutstanding.get()).as("the publisher's confirm tracker, sampled").isLessThanOrEqualTo(100);
        assertThat(outstandingAfter).as("confirm tracker entries left once all settled (a leak)").isZero();
    }

    private void declare(String queue) throws Exception {
        try (Connection connection = node.broker().connect("fault-declare")) {
            connection.createChannel().queueDeclare(queue, true, false, false, null);
        }
    }

    private Set<String> drainIds(String queue) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = node.broker().connect("fault-drain")) {
            Channel channel = connection.createChannel();
            GetResponse response;
            while ((response = channel.basicGet(queue, true)) != null) {
                ids.add(response.getProps().getMessageId());
            }
        }
        return ids;
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(condition);
    }
}
