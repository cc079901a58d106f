package dev.warren.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Prometheus server of a test's own, from the installed {@code prometheus} binary: a temp
 * directory with its config and storage, a free port on 127.0.0.1, a 1 s scrape and rule
 * interval. {@link #close()} stops it and deletes the directory.
 */
final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final Process process;
    private final URI uri;

    private PrometheusServer(Path directory, Process process, URI uri) {
        this.directory = directory;
        this.process = process;
        this.uri = uri;
    }

    /**
     * Starts Prometheus scraping {@code targets} (host:port) as job {@code job}, with the rule
     * files given (absolute paths), and waits until it is ready (30 s at most).
     */
    static PrometheusServer start(String job, List<String> targets, List<Path> ruleFiles) throws IOException {
        Path binary = PrometheusTools.prometheus();
        Path directory = Files.createTempDirectory("warren-prometheus-");
        int port = freePort();
        String config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                + "rule_files:\n" + ruleFiles.stream().map(f -> "  - \"" + f + "\"\n").reduce("", String::concat)
                + "scrape_configs:\n  - job_name: " + job + "\n    static_configs:\n      - targets: ["
                + String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList()) + "]\n";
        if (ruleFiles.isEmpty()) {
            config = config.replace("rule_files:\n", "");
        }
        Files.writeString(directory.resolve("prometheus.yml"), config);
        Process process = new ProcessBuilder(binary.toString(),
                "--config.file=" + directory.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("prometheus.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        var server = new PrometheusServer(directory, process, URI.create("http://127.0.0.1:" + port));
        try {
            server.awaitReady(Duration.ofSeconds(30));
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    URI uri() {
        return uri;
    }

    /** The {@code data} of an instant query through the HTTP API; fails unless the API says "success". */
    JsonNode query(String promql) {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!answer.path("status").asText().equals("success")) {
            throw new AssertionError("query failed: " + promql + "\n" + answer);
        }
        return answer.path("data");
    }

    /** The value of a query whose result is one sample, or NaN when it has none yet. */
    double value(String promql) {
        JsonNode result = query(promql).path("result");
        if (result.isEmpty()) {
            return Double.NaN;
        }
        if (result.size() != 1) {
            throw new AssertionError("expected one sample for " + promql + ", got " + result);
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** GET an API path, parsed as JSON. */
    JsonNode get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri + pathAndQuery)).timeout(Duration.ofSeconds(10)).build();
        try {
            return JSON.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + request.uri() + " failed; Prometheus log:\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What Prometheus logged (warnings and errors). */
    String log() {
        try {
            return Files.readString(directory.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(uri.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build();
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("prometheus not ready on " + uri + " within " + timeout + ":\n" + log());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // Only a temp directory.
        }
    }
}
