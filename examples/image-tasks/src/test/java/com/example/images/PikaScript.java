package com.example.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.testing.Requirements;
import java.io.IOException;
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
 * Runs a plain pika script from {@code src/test/resources/pika} with {@code /usr/bin/python3}
 * (where {@code python3-pika} installs pika) to its end.
 */
final class PikaScript {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private PikaScript() {
    }

    /** Runs {@code pika/<script>} with {@code args}; returns its stdout, failing unless it exits 0. */
    static String run(Path directory, String script, String... args) throws IOException, InterruptedException {
        Requirements.require(Files.isExecutable(PYTHON), PYTHON + " with pika (apt-get install python3-pika)");
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-u", resource(script).toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(directory, script, ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            boolean ended = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(ended).as("%s ended within %s; output:%n%s", command, TIMEOUT, output).isTrue();
            assertThat(process.exitValue()).as("exit code of %s; output:%n%s", command, output).isZero();
            return output;
        } finally {
            process.destroyForcibly();
        }
    }

    private static Path resource(String script) {
        URL url = PikaScript.class.getResource("/pika/" + script);
        assertThat(url).as("test resource pika/%s", script).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
