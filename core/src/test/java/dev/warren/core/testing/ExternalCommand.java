package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command with a deadline. Its output goes to files, never to pipes: a
 * {@code rabbitmq-server -detached} node inherits the output descriptors and outlives the
 * command, so a pipe would never reach end of file. Each run is appended to
 * {@code commands.log} in the log directory for post-mortems.
 */
final class ExternalCommand {

    private static final int TAIL_LINES = 40;

    private ExternalCommand() {
    }

    /** What a finished command printed. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** stdout and stderr, for failure messages. */
        String output() {
            return (stdout + (stderr.isBlank() ? "" : "\n" + stderr)).strip();
        }
    }

    /**
     * Runs the command and waits for it.
     *
     * @param environment added to this JVM's environment
     * @param logDirectory where output files and {@code commands.log} go
     * @throws IllegalStateException if it does not finish within the timeout; it and its
     *     children are killed first
     */
    static Result run(List<String> command, Map<String, String> environment, Path logDirectory, Duration timeout) {
        Path stdoutFile = null;
        Path stderrFile = null;
        try {
            stdoutFile = Files.createTempFile(logDirectory, "cmd-", ".out");
            stderrFile = Files.createTempFile(logDirectory, "cmd-", ".err");
            var builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(stdoutFile.toFile())
                    .redirectError(stderrFile.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                // su and sh do not pass SIGKILL on to the Erlang VM they started; kill it too.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            var result = new Result(List.copyOf(command), finished ? process.exitValue() : -1,
                    Files.readString(stdoutFile), Files.readString(stderrFile));
            appendToLog(logDirectory, result);
            if (!finished) {
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + " and was killed; its output:\n" + tail(result.output()));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(stdoutFile);
            deleteQuietly(stderrFile);
        }
    }

    /** The last lines of a text, enough to show why a command or a node failed. */
    static String tail(String text) {
        List<String> lines = text.lines().toList();
        int from = Math.max(0, lines.size() - TAIL_LINES);
        return (from > 0 ? "...\n" : "") + String.join("\n", lines.subList(from, lines.size()));
    }

    /** The last lines of a file, or a note saying it is missing. */
    static String tail(Path file) {
        try {
            return tail(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static void appendToLog(Path logDirectory, Result result) throws IOException {
        String entry = Instant.now() + " $ " + String.join(" ", result.command()) + "\n"
                + result.output() + "\n(exit " + result.exitCode() + ")\n\n";
        Files.writeString(logDirectory.resolve("commands.log"), entry,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover output file in a temp directory that is deleted later harms nothing.
        }
    }
}
