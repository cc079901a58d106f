package dev.warren.worker;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker-app JVM started by a test: {@code java -cp <test class path> dev.warren.worker.WorkerApp ...},
 * with the same java binary as the test JVM, stdout and stderr going to one log file (a file, not a
 * pipe, so a chatty worker can never block on a full pipe). {@link #close()} kills it.
 */
final class WorkerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private WorkerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a worker named {@code name} with {@code args} (its {@code --name} is set too). No
     * {@code WARREN_*} variable of the test's environment reaches it.
     */
    static WorkerProcess start(Path directory, String name, String... args) throws IOException {
        return start(directory, name, java.util.Map.of(), args);
    }

    /**
     * Starts a worker as {@link #start(Path, String, String...)} does, with {@code environment}
     * added to its environment (the only {@code WARREN_*} variables it sees).
     */
    static WorkerProcess start(Path directory, String name, java.util.Map<String, String> environment, String... args)
            throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), WorkerApp.class.getName(), "--name", name));
        command.addAll(List.of(args));
        Path log = directory.resolve("worker-" + name + ".log");
        var builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("WARREN_"));
        builder.environment().putAll(environment);
        return new WorkerProcess(name, builder.start(), log);
    }

    Process process() {
        return process;
    }

    /** Everything the worker printed so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the worker's output contains {@code text}; fails early if the worker exits. */
    void awaitLog(String text, Duration timeout) {
        await("worker " + name + " to log '" + text + "'")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .failFast("worker " + name + " exited", () -> !process.isAlive() && !log().contains(text))
                .until(() -> log().contains(text));
    }

    /** Waits for the worker to exit; returns its exit code, or fails if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("worker " + name + " did not exit within " + timeout + "; its output:\n" + log());
        }
        return process.exitValue();
    }

    /** Kills the worker (SIGKILL) and waits until it is gone. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "worker " + name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
