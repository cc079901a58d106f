package dev.warren.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.warren.core.spi.HealthCheck;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint, on the JDK's built-in server:
 * <ul>
 *   <li>{@code GET /metrics}: every metric in the Prometheus text format 0.0.4, or in OpenMetrics
 *       1.0 when the {@code Accept} header asks for {@code application/openmetrics-text} (as
 *       Prometheus itself does);
 *   <li>{@code GET /health}: {@code 200 UP} while no {@link HealthCheck} reports a problem,
 *       otherwise {@code 503} with one problem per line.
 * </ul>
 * Two daemon threads serve requests. Not thread-safe to start and stop concurrently; the
 * {@link MetricsLifecycle} does both.
 */
@Singleton
final class MetricsEndpoint implements AutoCloseable {

    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusMeterRegistry registry;
    private final Set<HealthCheck> checks;
    private final MetricsSettings settings;
    private HttpServer server;
    private ExecutorService threads;

    @Inject
    MetricsEndpoint(PrometheusMeterRegistry registry, Set<HealthCheck> checks, MetricsSettings settings) {
        this.registry = registry;
        this.checks = checks;
        this.settings = settings;
    }

    /** Listens on the configured address and port; returns the address actually bound. */
    InetSocketAddress start() throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port());
        server = HttpServer.create(address, 0);
        threads = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("warren-metrics-http-", 1).factory());
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics") && !path.equals("/health")) {
                respond(exchange, 404, TEXT_PLAIN, "not found: try /metrics or /health\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT_PLAIN, "method not allowed: use GET\n");
            } else if (path.equals("/metrics")) {
                String contentType = wantsOpenMetrics(exchange.getRequestHeaders().getFirst("Accept"))
                        ? OPENMETRICS_FORMAT : TEXT_FORMAT;
                respond(exchange, 200, contentType, registry.scrape(contentType));
            } else {
                List<String> problems = problems();
                respond(exchange, problems.isEmpty() ? 200 : 503, TEXT_PLAIN,
                        problems.isEmpty() ? "UP\n" : "DOWN\n" + String.join("\n", problems) + "\n");
            }
        } catch (IOException | RuntimeException e) {
            // The client went away, or a scrape failed: nothing to answer to.
            log.debug("metrics request failed", e);
        }
    }

    /** What the health checks report now, in a stable order. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (HealthCheck check : checks) {
            Optional<String> problem;
            try {
                problem = check.problem();
            } catch (RuntimeException e) {
                problem = Optional.of("a health check failed: " + e);
            }
            problem.ifPresent(problems::add);
        }
        problems.sort(null);
        return problems;
    }

    static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (threads != null) {
            threads.shutdownNow();
            threads = null;
        }
    }
}
