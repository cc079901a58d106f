package dev.warren.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code prometheus} and {@code promtool} binaries of the Debian package, or a clear failure saying how to get them. */
final class PrometheusTools {

    private PrometheusTools() {
    }

    static Path prometheus() {
        return find("prometheus");
    }

    static Path promtool() {
        return find("promtool");
    }

    private static Path find(String name) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, name));
            }
        }
        candidates.add(Path.of("/usr/bin", name));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("'" + name + "' is not installed: the metrics tests run the real Prometheus server"
                + " and promtool. Install the Debian package: apt-get install -y prometheus (.ci/run does; it may"
                + " start a system Prometheus on :9090, which these tests do not need)");
    }

    /** What a finished command printed. */
    record Run(int exitCode, String output) {
    }

    /** Runs a command to its end (at most {@code timeout}), stdout and stderr together. */
    static Run run(Duration timeout, Path workingDirectory, String... command) {
        return run(timeout, workingDirectory, null, command);
    }

    /** Like {@link #run(Duration, Path, String...)}, with {@code input} on stdin (none when null). */
    static Run run(Duration timeout, Path workingDirectory, Path input, String... command) {
        try {
            Path output = Files.createTempFile("warren-promtool-", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                        .redirectErrorStream(true).redirectOutput(output.toFile())
                        .redirectInput(input == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                                : ProcessBuilder.Redirect.from(input.toFile()));
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                            + ":\n" + Files.readString(output));
                }
                return new Run(process.exitValue(), Files.readString(output));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
