package dev.warren.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command with a deadline. Output goes to files, never to pipes: a
 * {@code rabbitmq-server -detached} node inherits the output descriptors and outlives the
 * command, so a pipe would never reach its end. Each run is appended to {@code commands.log} in
 * the log directory for post-mortems.
 */
final class ExternalCommand {

    private static final int HEAD_LINES = 15;
    private static final int TAIL_LINES = 30;

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
     * @param logDirectory where the output files and {@code commands.log} go
     * @throws IllegalStateException if it does not finish within the timeout; it and its
     *     descendants are killed first
     */
    static Result run(List<String> command, Map<String, String> environment, Path logDirectory, Duration timeout) {
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile(logDirectory, "cmd-", ".out");
            stderr = Files.createTempFile(logDirectory, "cmd-", ".err");
            return run(command, environment, logDirectory, timeout, stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /**
     * Like {@link #run(List, Map, Path, Duration)}, but appends stdout and stderr to one file that
     * is kept, for a command whose detached children write to it later.
     */
    static Result runKeepingOutput(List<String> command, Map<String, String> environment, Path logDirectory,
            Duration timeout, Path outputFile) {
        try {
            return run(command, environment, logDirectory, timeout, outputFile, outputFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    private static Result run(List<String> command, Map<String, String> environment, Path logDirectory,
            Duration timeout, Path stdoutFile, Path stderrFile) throws IOException {
        long stdoutFrom = size(stdoutFile);
        var builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutFile.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                // su and sh do not pass SIGKILL on to the Erlang VM they started: kill it too.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
        String stdout = readFrom(stdoutFile, stdoutFrom);
        var result = new Result(List.copyOf(command), finished ? process.exitValue() : -1, stdout,
                stderrFile.equals(stdoutFile) ? "" : Files.readString(stderrFile));
        appendToLog(logDirectory, result);
        if (!finished) {
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                    + " and was killed; its output:\n" + excerpt(result.output()));
        }
        return result;
    }

    /**
     * The first and last lines of a command's output: the cause of a failed start comes first
     * (a bad config line), the crash report it leads to last.
     */
    static String excerpt(String text) {
        List<String> lines = text.lines().toList();
        if (lines.size() <= HEAD_LINES + TAIL_LINES) {
            return text.strip();
        }
        return String.join("\n", lines.subList(0, HEAD_LINES)) + "\n...\n"
                + String.join("\n", lines.subList(lines.size() - TAIL_LINES, lines.size()));
    }

    /** The last lines of a text, where a log says how it ended. */
    static String tail(String text) {
        List<String> lines = text.lines().toList();
        int from = Math.max(0, lines.size() - TAIL_LINES);
        return (from > 0 ? "...\n" : "") + String.join("\n", lines.subList(from, lines.size()));
    }

    /** The last lines of a file, or a note saying it cannot be read. */
    static String tail(Path file) {
        try {
            return tail(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return "(none yet)";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static String readFrom(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int from = (int) Math.min(offset, bytes.length);
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
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
