package dev.warren.reliability;

import dev.warren.worker.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker-app replicas of one scenario: all consume the same queue of the same broker with the
 * same flags, and each has a numbered name ({@code <prefix>-1}, {@code <prefix>-2}, ...). Starts
 * replacements, kills and terminates replicas, and on {@link #close()} kills what still runs and
 * prints the tail of every worker's log, so a failing scenario shows what each worker saw.
 *
 * <pre>{@code
 * try (var fleet = new WorkerFleet(dir, "w", List.of("--demo", "--uri", node.amqpUri(), "--queue", queue))) {
 *     fleet.start(3);                       // waits until all three consume
 *     fleet.live().get(0).kill();
 *     fleet.start(1);                       // a replacement
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class WorkerFleet implements AutoCloseable {

    /** How long a worker may take to start and register its consumers on a busy 2-core machine. */
    public static final Duration STARTUP = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 40;

    private final Path directory;
    private final String prefix;
    private final List<String> args;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private final AtomicInteger numbers = new AtomicInteger();

    /**
     * @param directory where the workers' log files go (a {@code @TempDir})
     * @param prefix    names of the replicas: {@code <prefix>-<n>}
     * @param args      worker-app flags every replica gets, e.g. {@code --uri}, {@code --queue}
     */
    public WorkerFleet(Path directory, String prefix, List<String> args) {
        this.directory = directory;
        this.prefix = prefix;
        this.args = List.copyOf(args);
    }

    /**
     * Starts {@code n} more replicas side by side and waits until each is consuming.
     *
     * @return the new replicas
     */
    public List<WorkerProcess> start(int n) {
        return start(n, List.of());
    }

    /** Like {@link #start(int)}, with flags for these replicas only (appended after the common ones). */
    public List<WorkerProcess> start(int n, List<String> extraArgs) {
        List<WorkerProcess> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> all = new ArrayList<>(args);
            all.addAll(extraArgs);
            WorkerProcess worker = WorkerProcess.start(directory, prefix + "-" + numbers.incrementAndGet(), all);
            workers.add(worker);
            started.add(worker);
        }
        for (WorkerProcess worker : started) {
            worker.awaitConsuming(STARTUP);
        }
        return started;
    }

    /**
     * Starts {@code n} more replicas and returns at once, without waiting for them to consume
     * (see {@link #awaitConsuming()}): a replacement for a killed worker while the load runs.
     */
    public List<WorkerProcess> startAsync(int n) {
        List<WorkerProcess> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WorkerProcess worker = WorkerProcess.start(directory, prefix + "-" + numbers.incrementAndGet(), args);
            workers.add(worker);
            started.add(worker);
        }
        return started;
    }

    /** Waits until every running replica is consuming. */
    public void awaitConsuming() {
        for (WorkerProcess worker : live()) {
            worker.awaitConsuming(STARTUP);
        }
    }

    /**
     * Waits until at least {@code n} running replicas are consuming.
     *
     * @return the consuming replicas, oldest first
     */
    public List<WorkerProcess> awaitConsumingAtLeast(int n) {
        org.awaitility.Awaitility.await(n + " workers of " + prefix + " consuming")
                .atMost(STARTUP)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> consuming().size() >= n);
        return consuming();
    }

    /** Running replicas that logged that they consume, oldest first. */
    public List<WorkerProcess> consuming() {
        return live().stream().filter(w -> w.log().contains(WorkerProcess.CONSUMING)).toList();
    }

    /** How often {@code text} occurs in the logs of every replica, killed ones included. */
    public long countInLogs(String text) {
        long n = 0;
        for (WorkerProcess worker : workers) {
            String log = worker.log();
            for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + text.length())) {
                n++;
            }
        }
        return n;
    }

    /** Replicas still running, oldest first. */
    public List<WorkerProcess> live() {
        return workers.stream().filter(WorkerProcess::isAlive).toList();
    }

    /** Every replica started so far, running or not, oldest first. */
    public List<WorkerProcess> all() {
        return Collections.unmodifiableList(workers);
    }

    /** The oldest running replica; fails if none runs. */
    public WorkerProcess oldestLive() {
        return live().stream().findFirst().orElseThrow(() -> new AssertionError("no worker of " + prefix + " runs"));
    }

    /** Sends SIGTERM to every running replica and waits for each to exit; returns nothing, asserts nothing. */
    public void terminateAll(Duration timeout) {
        List<WorkerProcess> running = live();
        running.forEach(WorkerProcess::terminate);
        for (WorkerProcess worker : running) {
            worker.awaitExit(timeout);
        }
    }

    /** Kills what still runs and prints the tail of each worker's log to stdout (the test's report). */
    @Override
    public void close() {
        for (WorkerProcess worker : workers) {
            worker.close();
        }
        for (WorkerProcess worker : workers) {
            System.out.println("--- " + worker + ", last " + LOG_TAIL_LINES + " lines:\n" + tail(worker.log()));
        }
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        int from = Math.max(0, lines.length - LOG_TAIL_LINES);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
