package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.schedule.SchedulerSettings;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.wire.TaskHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler's failover with real worker-app processes: groups of two and of three replicas
 * (run side by side, each in its own scheduler group) share a one-second schedule for two minutes,
 * and the active replica of each is killed with {@code kill -9} twice (a killed replica is started
 * again, as an orchestrator would). A consumer collects the firings by message id: every due
 * second of the window fired, ids are exactly the due instants (so no second fired under two
 * ids), and the duplicates under one id and the takeover times are printed.
 */
class SchedulerFailoverTest {

    private static final Duration RUN = Duration.ofSeconds(120);
    private static final List<Duration> KILLS_AT = List.of(Duration.ofSeconds(35), Duration.ofSeconds(75));
    private static final Duration START = Duration.ofSeconds(90);
    private static final String SCHEDULE = "tick";

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private final List<WorkerProcess> processes = new CopyOnWriteArrayList<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (WorkerProcess process : processes) {
            process.close();
        }
        for (Connection connection : connections) {
            connection.close();
        }
    }

    @Test
    void everyDueSecondFiresUnderItsOneIdAcrossTwoKillsOfTheActiveReplica() throws Exception {
        // Side by side: a thread each (the common pool may have a single thread on a small machine).
        ExecutorService groups = Executors.newFixedThreadPool(2);
        List<GroupRun> runs;
        try {
            CompletableFuture<GroupRun> two = CompletableFuture.supplyAsync(() -> run("two", 2), groups);
            CompletableFuture<GroupRun> three = CompletableFuture.supplyAsync(() -> run("three", 3), groups);
            runs = List.of(two.get(5, TimeUnit.MINUTES), three.get(5, TimeUnit.MINUTES));
        } finally {
            groups.shutdownNow();
        }

        for (GroupRun run : runs) {
            System.out.printf("scheduler failover, %d replicas: %d due seconds fired from %s to %s, %d fired twice"
                            + " under the same id; after each kill -9 the next replica was active after %s ms and the"
                    + " firings resumed after %s ms%n", run.replicas(), run.dues().size(),
                    run.dues().isEmpty() ? null : run.dues().first(), run.dues().isEmpty() ? null : run.dues().last(), run.duplicates(), run.activeAfterMillis(), run.takeoverMillis());
        }
        for (GroupRun run : runs) {
            assertThat(run.mismatched()).as("%d replicas: firings whose id is not %s@<x-warren-due-at>", run.replicas(),
                    SCHEDULE).isEmpty();
            List<Instant> everySecond = new ArrayList<>();
            for (Instant due = run.dues().first(); !due.isAfter(run.dues().last()); due = due.plusSeconds(1)) {
                everySecond.add(due);
            }
            assertThat(run.dues()).as("%d replicas: every second of the window fired", run.replicas())
                    .containsExactlyElementsOf(everySecond);
            assertThat(Duration.between(run.dues().first(), run.dues().last()))
                    .as("%d replicas: the window", run.replicas()).isGreaterThan(RUN.minusSeconds(10));
            assertThat(run.takeoverMillis()).as("%d replicas: takeover times (ms)", run.replicas())
                    .hasSize(KILLS_AT.size())
                    .allSatisfy(millis -> assertThat(millis).isLessThan(10_000));
        }
    }

    /**
     * One group: its replicas, a collector of its firings, two kills of its active replica.
     *
     * @param dues           the due instants that fired (from the message ids)
     * @param duplicates     firings received more than once under the same id
     * @param mismatched     firings whose id does not name their x-warren-due-at
     * @param takeoverMillis per kill, from the kill to the first firing of a due not seen before
     *                       (includes the wait for the next due second when the killed one had fired
     *                       the current one)
     * @param activeAfterMillis per kill, from the kill to the time of the next replica's "is active"
     *                       log line (the lease itself)
     */
    record GroupRun(int replicas, TreeSet<Instant> dues, long duplicates, List<String> mismatched,
                    List<Long> takeoverMillis, List<Long> activeAfterMillis) {
    }

    private GroupRun run(String label, int replicas) {
        try {
            String group = TestQueues.unique("failover-" + label);
            queues.register(SchedulerSettings.leaseQueue(group));
            queues.register(SchedulerSettings.statusQueue(group));
            String target = queues.unique("failover-ticks-" + label);
            String workQueue = queues.unique("failover-work-" + label);
            Path jar = tickJar(label, target);

            Map<String, Integer> seen = new ConcurrentHashMap<>();
            Map<String, Long> firstSeenNanos = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> mismatched = new ConcurrentLinkedQueue<>();
            Connection collector = broker.connect("warren-test-failover-" + label);
            connections.add(collector);
            Channel channel = collector.createChannel();
            channel.queueDeclare(target, true, false, false, null);
            channel.basicConsume(target, true, (tag, delivery) -> {
                long now = System.nanoTime();
                String id = delivery.getProperties().getMessageId();
                Object due = delivery.getProperties().getHeaders().get(TaskHeaders.DUE_AT);
                if (!id.equals(SCHEDULE + "@" + due)) {
                    mismatched.add(id + " (x-warren-due-at " + due + ")");
                }
                seen.merge(id, 1, Integer::sum);
                firstSeenNanos.putIfAbsent(id, now);
            }, tag -> { });

            List<WorkerProcess> members = new ArrayList<>();
            for (int i = 1; i <= replicas; i++) {
                members.add(start(label + "-" + i, jar, workQueue, group));
            }
            await(label + ": a first firing").atMost(START).until(() -> !seen.isEmpty());
            long t0 = System.nanoTime();
            List<Long> takeovers = new ArrayList<>();
            List<Long> activeAfter = new ArrayList<>();
            int restarts = 0;
            for (Duration killAt : KILLS_AT) {
                await(label + ": kill time").atMost(killAt.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                        .until(() -> System.nanoTime() - t0 >= killAt.toNanos());
                WorkerProcess active = active(members);
                long before = firstSeenNanos.size();
                LocalTime killedAt = LocalTime.now();
                long killed = System.nanoTime();
                active.kill();
                members.remove(active);
                activeAfter.add(activeAfterKill(active(members), killedAt));
                await(label + ": a firing after the kill").atMost(Duration.ofSeconds(30))
                        .until(() -> firstSeenNanos.size() > before
                                && firstSeenNanos.values().stream().anyMatch(n -> n > killed));
                long firstAfter = firstSeenNanos.values().stream().filter(n -> n > killed).min(Long::compare).orElseThrow();
                takeovers.add((firstAfter - killed) / 1_000_000);
                members.add(start(label + "-r" + ++restarts, jar, workQueue, group));
            }
            await(label + ": end of the run").atMost(RUN.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> System.nanoTime() - t0 >= RUN.toNanos());
            for (WorkerProcess process : members) {
                process.kill();
            }
            // Firings published before the kills may still be on their way: let the queue drain.
            await(label + ": collector drained").atMost(Duration.ofSeconds(10))
                    .until(() -> channel.queueDeclarePassive(target).getMessageCount() == 0);
            TreeSet<Instant> dues = new TreeSet<>();
            // An id not of the form <schedule>@<instant> is in mismatched already.
            seen.keySet().stream().filter(id -> id.startsWith(SCHEDULE + "@"))
                    .forEach(id -> dues.add(Instant.parse(id.substring(SCHEDULE.length() + 1))));
            long duplicates = seen.values().stream().mapToLong(n -> n - 1).sum();
            return new GroupRun(replicas, dues, duplicates, List.copyOf(mismatched), takeovers, activeAfter);
        } catch (Exception e) {
            throw new IllegalStateException(label + " replicas: " + e, e);
        }
    }

    /** The alive replica that logged it became active (replicas never lose the lease otherwise here). */
    private WorkerProcess active(List<WorkerProcess> group) {
        return await("an active replica").atMost(Duration.ofSeconds(30)).until(() -> group.stream()
                .filter(p -> p.isAlive() && p.log().contains("scheduler " + p.name() + " is active"))
                .findFirst(), Optional::isPresent).orElseThrow();
    }

    /**
     * Milliseconds from {@code killedAt} to the time of day on {@code replica}'s "is active" line
     * (worker-app logs HH:mm:ss.SSS in the zone it shares with this JVM).
     */
    private static long activeAfterKill(WorkerProcess replica, LocalTime killedAt) {
        Matcher line = Pattern.compile("(\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) .*scheduler " + Pattern.quote(replica.name())
                + " is active").matcher(replica.log());
        assertThat(line.find()).as("the 'is active' line of %s", replica).isTrue();
        long millis = Duration.between(killedAt, LocalTime.parse(line.group(1))).toMillis();
        return millis < -12 * 3_600_000L ? millis + 24 * 3_600_000L : millis;
    }

    private WorkerProcess start(String name, Path jar, String workQueue, String group) {
        WorkerProcess process = WorkerProcess.start(directory, name, "--uri", broker.amqpUri(), "--queue", workQueue,
                "--tasks", jar.toString(), "--scheduler", "--scheduler-group", group);
        processes.add(process);
        return process;
    }

    /** A task jar whose module declares the one-second schedule, publishing to {@code target}. */
    private Path tickJar(String label, String target) throws Exception {
        String source = """
                package team.ticks;

                import com.fasterxml.jackson.databind.JsonNode;
                import dev.warren.core.schedule.MisfirePolicy;
                import dev.warren.core.schedule.Schedule;
                import dev.warren.core.schedule.ScheduledTask;
                import dev.warren.core.task.TaskModule;
                import dev.warren.core.task.TaskType;
                import java.time.Duration;

                public final class TickTasks extends TaskModule {
                    public record Tick(String label) {
                    }

                    static final TaskType<Tick, Void> TICK = TaskType.of("tick", Tick.class);

                    @Override
                    protected void configureTasks() {
                        bindTask(TaskType.of("unused", JsonNode.class), (payload, context) -> null);
                        schedule(ScheduledTask.of("%s", TICK, Schedule.every(Duration.ofSeconds(1)), new Tick("%s"))
                                .withMisfire(MisfirePolicy.fireAll(1000)).toQueue("%s"));
                    }
                }
                """.formatted(SCHEDULE, label, target);
        Path dir = Files.createDirectories(directory.resolve("jar-" + label));
        return new TaskJar().source("team.ticks.TickTasks", source).service("team.ticks.TickTasks")
                .writeJar(dir.resolve("ticks.jar"));
    }
}
