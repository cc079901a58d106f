package dev.warren.metrics;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import dev.warren.core.CoreModule;
import dev.warren.core.WorkerModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Warren app wired as worker-app (or producer-app) wires it, with the metrics module on a free
 * port of 127.0.0.1, plus an HTTP client for its endpoint. {@link #close()} shuts it down in the
 * apps' order: worker, metrics, connections.
 */
final class MetricsApp implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Injector injector;
    private final boolean worker;
    private boolean workerStarted;

    private MetricsApp(Injector injector, boolean worker) {
        this.injector = injector;
        this.worker = worker;
    }

    /** A worker of {@code queue} with {@link MetricsTasks}, its endpoint started, the worker not yet. */
    static MetricsApp worker(String amqpUri, String queue, String name) {
        List<Module> modules = new ArrayList<>(List.of(
                new CoreModule(settings(amqpUri, name), RouteTable.allTo(queue)),
                new WorkerModule(WorkerSettings.of(queue).withShutdownTimeout(Duration.ofSeconds(5))),
                new MetricsTasks(),
                new MetricsModule(MetricsSettings.onPort(0).withQueuePollInterval(Duration.ofMillis(200)))));
        return start(Guice.createInjector(modules), true);
    }

    /** A producer publishing to {@code queue}: core and metrics only, as producer-app would install them. */
    static MetricsApp producer(String amqpUri, String queue, String name) {
        return start(Guice.createInjector(new CoreModule(settings(amqpUri, name), RouteTable.allTo(queue)),
                new MetricsModule(MetricsSettings.onPort(0))), false);
    }

    private static AmqpSettings settings(String amqpUri, String name) {
        return AmqpSettings.of(amqpUri).withConnectionName("warren-test-" + name)
                .withStartupTimeout(Duration.ofSeconds(30));
    }

    private static MetricsApp start(Injector injector, boolean worker) {
        injector.getInstance(MetricsLifecycle.class).start();
        return new MetricsApp(injector, worker);
    }

    MetricsApp startWorker() throws IOException {
        worker().start();
        workerStarted = true;
        return this;
    }

    Worker worker() {
        return injector.getInstance(Worker.class);
    }

    TaskPublisher publisher() {
        return injector.getInstance(TaskPublisher.class);
    }

    <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    /** The base URI of the endpoint, e.g. {@code http://127.0.0.1:41234}. */
    URI endpoint() {
        var address = injector.getInstance(MetricsLifecycle.class).address().orElseThrow();
        return URI.create("http://127.0.0.1:" + address.getPort());
    }

    int port() {
        return endpoint().getPort();
    }

    /** GET {@code path} with an {@code Accept} header (or none when null). */
    HttpResponse<String> get(String path, String accept) {
        var request = HttpRequest.newBuilder(endpoint().resolve(path)).timeout(Duration.ofSeconds(10)).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("GET " + endpoint().resolve(path) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code /metrics} in the Prometheus text format, parsed. */
    PrometheusText scrape() {
        HttpResponse<String> response = get("/metrics", null);
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
        }
        return PrometheusText.parse(response.body());
    }

    @Override
    public void close() {
        try {
            if (worker && workerStarted) {
                worker().stop();
            }
        } finally {
            injector.getInstance(MetricsLifecycle.class).close();
            injector.getInstance(AmqpConnections.class).close();
        }
    }
}
