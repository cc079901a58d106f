package dev.warren.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a plain Python pika script, for interop tests: a client no one here wrote, talking
 * to Warren through the broker. It runs with the system's {@code /usr/bin/python3}, where the
 * {@code python3-pika} package installs pika (a {@code python3} earlier on the PATH may lack it),
 * unbuffered ({@code -u}) and with no input. stdout and stderr go to files of their own under the
 * test's directory; {@link #close()} kills a script that is still running.
 *
 * <p>Without {@code /usr/bin/python3} able to import pika, {@link #start} fails the test under CI
 * and skips it elsewhere ({@link Requirements}). Not thread-safe: one test drives one script.
 */
public final class PikaScript implements AutoCloseable {

    /** The interpreter every script runs with. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String MISSING = PYTHON + " with pika (apt-get install python3-pika)";
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final List<String> command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private PikaScript(List<String> command, Process process, Path stdout, Path stderr) {
        this.command = command;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * The test resource {@code name} (such as {@code interop/pika_producer.py}) as a file.
     *
     * @throws AssertionError if there is no such resource
     */
    public static Path resource(String name) {
        URL url = PikaScript.class.getResource("/" + name);
        if (url == null) {
            throw new AssertionError("test resource " + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts {@code script} with {@code args} and returns at once; its output goes to files under
     * {@code directory}.
     *
     * @throws AssertionError if the script is missing, or under CI if pika is
     */
    public static PikaScript start(Path directory, Path script, String... args) throws IOException {
        if (!Files.isRegularFile(script)) {
            throw new AssertionError("the pika script " + script.toAbsolutePath() + " is missing");
        }
        Requirements.require(Interpreter.HAS_PIKA, MISSING);
        String name = script.getFileName().toString();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-u", script.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(directory, name, ".out");
        Path err = Files.createTempFile(directory, name, ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return new PikaScript(List.copyOf(command), process, out, err);
    }

    /**
     * Runs {@code script} with {@code args} to its end and returns what it printed on stdout.
     *
     * @throws AssertionError if it does not end within {@code timeout} (it is killed) or exits
     *         other than 0; the message holds its command and output
     */
    public static String run(Path directory, Path script, Duration timeout, String... args)
            throws IOException, InterruptedException {
        try (PikaScript run = start(directory, script, args)) {
            int exitCode = run.awaitExit(timeout);
            if (exitCode != 0) {
                throw new AssertionError("the pika script failed: " + run);
            }
            return run.stdout();
        }
    }

    /**
     * Waits for the script to end; returns its exit code.
     *
     * @throws AssertionError if it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(this + "\ndid not finish within " + timeout);
        }
        return process.exitValue();
    }

    /** Whether the script is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** What the script has printed on stdout so far. */
    public String stdout() {
        return read(stdout);
    }

    /** What the script has printed on stderr so far. */
    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the script if it is still running, and waits up to 5 seconds for it to go. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The command and what it printed, for assertion messages. */
    @Override
    public String toString() {
        return String.join(" ", command) + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr();
    }

    /** Whether {@link #PYTHON} imports pika, asked once per JVM on first use. */
    private static final class Interpreter {

        static final boolean HAS_PIKA = importsPika();

        private static boolean importsPika() {
            if (!Files.isExecutable(PYTHON)) {
                return false;
            }
            try {
                Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import pika")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                    probe.destroyForcibly();
                    return false;
                }
                return probe.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
