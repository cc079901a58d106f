package dev.warren.worker;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real worker-app JVM: {@code java -cp <test class path> dev.warren.worker.WorkerApp --name <name> ...},
 * with the test JVM's own java binary, stdout and stderr going to {@code worker-<name>.log} (a
 * file, not a pipe, so a chatty worker never blocks on a full pipe). No {@code WARREN_*}
 * variable of the test's environment reaches it.
 *
 * <p>worker-app's process tests and the fault suite (through this module's test jar) both use it.
 * Faults: {@link #kill()} is {@code kill -9}, {@link #terminate()} is {@code SIGTERM}.
 * {@link #close()} kills. Not thread-safe; one test thread drives it.
 */
public final class WorkerProcess implements AutoCloseable {

    /** The worker's "ready" line, logged once its consumers are registered. */
    public static final String CONSUMING = "consuming '";
    /** The first words of the line a worker logs when it stopped gracefully. */
    public static final String STOPPED = "worker stopped: ";
    /**
     * Part of the line a worker logs when the broker redelivered a task without an ack (its
     * worker died) and it counts that delivery as a failed attempt (RedeliveredTaskException).
     */
    public static final String REDELIVERY_COUNTED = "was delivered again without an acknowledgement";
    private static final Pattern SUMMARY = Pattern.compile(
            "worker stopped: processed (\\d+) tasks.*?; retried (\\d+), dead-lettered (\\d+)");

    private final String name;
    private final Process process;
    private final Path log;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a worker named {@code name} with worker-app flags {@code args}; returns at once
     * (see {@link #awaitConsuming}). The JVM is kept small: C1 only, serial GC, 128 MB heap.
     */
    public static WorkerProcess start(Path directory, String name, List<String> args) {
        return start(directory, name, Map.of(), args);
    }

    /** Starts a worker as {@link #start(Path, String, List)} does, with flags {@code args}. */
    public static WorkerProcess start(Path directory, String name, String... args) {
        return start(directory, name, Map.of(), List.of(args));
    }

    /**
     * Starts a worker as {@link #start(Path, String, List)} does, with {@code environment} added
     * to its environment (the only {@code WARREN_*} variables it sees).
     */
    public static WorkerProcess start(Path directory, String name, Map<String, String> environment, String... args) {
        return start(directory, name, environment, List.of(args));
    }

    /**
     * Starts {@code mainClass} (a team's own main that calls {@code WarrenWorker}, or
     * {@link WorkerApp}) as {@link #start(Path, String, List)} starts a worker, with
     * {@code extraClassPath} after the test class path and {@code environment} added.
     */
    public static WorkerProcess start(Path directory, String name, List<Path> extraClassPath, String mainClass,
                                      Map<String, String> environment, String... args) {
        return start(directory, name, extraClassPath, mainClass, environment, List.of(), List.of(args));
    }

    /**
     * Starts a worker as {@link #start(Path, String, List)} does, with {@code jvmOptions} after the
     * defaults, so they win: {@code -Xmx256m} replaces the 128 MB heap.
     */
    public static WorkerProcess start(Path directory, String name, List<String> jvmOptions, String... args) {
        return start(directory, name, List.of(), WorkerApp.class.getName(), Map.of(), jvmOptions, List.of(args));
    }

    private static WorkerProcess start(Path directory, String name, Map<String, String> environment, List<String> args) {
        return start(directory, name, List.of(), WorkerApp.class.getName(), environment, List.of(), args);
    }

    private static WorkerProcess start(Path directory, String name, List<Path> extraClassPath, String mainClass,
                                       Map<String, String> environment, List<String> jvmOptions, List<String> args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> classPath = new ArrayList<>(List.of(System.getProperty("java.class.path")));
        extraClassPath.forEach(entry -> classPath.add(entry.toString()));
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx128m", "-Xss512k"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), mainClass, "--name", name));
        command.addAll(args);
        Path log = directory.resolve("worker-" + name + ".log");
        var builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("WARREN_"));
        builder.environment().putAll(environment);
        try {
            return new WorkerProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker " + name + ": " + command, e);
        }
    }

    /** The worker's {@code --name}. */
    public String name() {
        return name;
    }

    /** The process itself, for what the methods here do not cover (its arguments, a signal). */
    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the worker printed so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the worker's output contains {@code text}; fails early if the worker exits without it. */
    public void awaitLog(String text, Duration timeout) {
        await("worker " + name + " to log '" + text + "'")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .failFast("worker " + name + " exited", () -> !process.isAlive() && !log().contains(text))
                .until(() -> log().contains(text));
    }

    /** Waits for the "consuming '...'" line: the worker's consumers are registered. */
    public void awaitConsuming(Duration timeout) {
        awaitLog(CONSUMING, timeout);
    }

    /** {@code kill -9}: no shutdown hook runs, unacknowledged tasks stay with the broker. Waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("worker " + name + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing worker " + name, e);
        }
    }

    /** {@code SIGTERM}: asks for a graceful stop and returns at once (see {@link #awaitExit}). */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the worker to exit; returns its exit code, or fails with its output if it is still running. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("worker " + name + " did not exit within " + timeout + "; its output:\n"
                        + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for worker " + name, e);
        }
        return process.exitValue();
    }

    /** The counts of its "worker stopped: ..." line, once it stopped gracefully. */
    public Optional<Summary> summary() {
        Matcher m = SUMMARY.matcher(log());
        return m.find()
                ? Optional.of(new Summary(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                        Long.parseLong(m.group(3))))
                : Optional.empty();
    }

    /** Kills the worker (SIGKILL) if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "worker " + name + " (pid " + process.pid() + ", log " + log + ")";
    }

    /**
     * What a worker logged when it stopped gracefully.
     *
     * @param succeeded    tasks that succeeded
     * @param retried      tasks republished to the retry ladder (a redelivery counts here)
     * @param deadLettered tasks parked in the dead-letter queue
     */
    public record Summary(long succeeded, long retried, long deadLettered) {
    }
}
