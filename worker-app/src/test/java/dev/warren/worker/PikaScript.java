package dev.warren.worker;

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
 * One run of a plain pika script from {@code src/test/resources/interop} with the system's
 * {@code /usr/bin/python3} (where the {@code python3-pika} package installs pika; a
 * {@code python3} earlier on the PATH may lack it). Output goes to files; {@link #close()} kills
 * a script that is still running.
 */
final class PikaScript implements AutoCloseable {

    static final Path PYTHON = Path.of("/usr/bin/python3");

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

    /** Starts {@code interop/<script>} with {@code args}, writing its output under {@code directory}. */
    static PikaScript start(Path directory, String script, String... args) throws IOException {
        return startFile(directory, resource(script), args);
    }

    /** Starts the script {@code file} (e.g. one taken from the docs) with {@code args}, output under {@code directory}. */
    static PikaScript startFile(Path directory, Path file, String... args) throws IOException {
        if (!Files.isExecutable(PYTHON)) {
            throw new AssertionError(PYTHON + " is missing: the interop tests need it with pika"
                    + " (apt-get install python3-pika)");
        }
        String script = file.getFileName().toString();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-u", file.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(directory, script, ".out");
        Path err = Files.createTempFile(directory, script, ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        return new PikaScript(List.copyOf(command), process, out, err);
    }

    private static Path resource(String script) {
        URL url = PikaScript.class.getResource("/interop/" + script);
        if (url == null) {
            throw new AssertionError("test resource interop/" + script + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the script to finish; returns its exit code, or fails if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(this + " did not finish within " + timeout);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    /** The command and what it printed, for assertion messages. */
    @Override
    public String toString() {
        return String.join(" ", command) + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr();
    }
}
