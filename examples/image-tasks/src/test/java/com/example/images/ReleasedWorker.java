package com.example.images;

import static org.awaitility.Awaitility.await;

import dev.warren.core.testing.Requirements;
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
 * worker-app as it is released, {@code java -jar worker-app/target/worker-app.jar ...}, in a JVM of
 * its own; stdout and stderr go to a log file. No {@code WARREN_*} variable of the test's
 * environment reaches it. {@link #close()} kills it. Not thread-safe.
 */
final class ReleasedWorker implements AutoCloseable {

    /** The line worker-app logs once its consumers are registered. */
    static final String CONSUMING = "consuming '";

    private final Process process;
    private final Path log;

    private ReleasedWorker(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * worker-app's shaded jar, built by {@code ./mvnw verify} (or {@code package}) before this
     * module. Without it the test fails under CI and is skipped elsewhere.
     */
    static Path jar() {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isRegularFile(root.resolve("worker-app/pom.xml"))) {
            root = root.getParent();
        }
        Path jar = root == null ? Path.of("worker-app/target/worker-app.jar") : root.resolve("worker-app/target/worker-app.jar");
        Requirements.require(Files.isRegularFile(jar), "worker-app's shaded jar " + jar
                + " (./mvnw -B verify builds it before this module; or ./mvnw -B -DskipTests package -pl worker-app -am)");
        return jar;
    }

    /** Starts {@code java -jar <worker-app.jar> <args>}, logging to {@code directory/worker.log}; returns at once. */
    static ReleasedWorker start(Path directory, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        Path log = directory.resolve("worker.log");
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("WARREN_"));
        return new ReleasedWorker(builder.start(), log);
    }

    /** Waits until the log contains {@code text}; fails early if the worker exits. */
    void awaitLog(String text, Duration timeout) {
        await("worker log containing '" + text + "'").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .failFast("the worker exited; log:\n" + log(), () -> !process.isAlive() && !log().contains(text))
                .until(() -> log().contains(text));
    }

    /** Sends SIGTERM: a graceful stop. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the worker to exit; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("worker still running after " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /** Everything the worker printed so far. */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
