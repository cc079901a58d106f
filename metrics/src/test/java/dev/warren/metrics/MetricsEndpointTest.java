package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.spi.HealthCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP endpoint alone, without a broker: routes, methods, content negotiation, health aggregation. */
class MetricsEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Optional<String>> consumers = new AtomicReference<>(Optional.empty());
    private final Set<HealthCheck> checks = Set.of(
            consumers::get,
            () -> Optional.of("always broken"),
            () -> {
                throw new IllegalStateException("boom");
            });
    private MetricsEndpoint endpoint;

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void metricsAreTextByDefaultAndOpenMetricsWhenAsked() throws Exception {
        registry.counter(MetricNames.TASKS, "queue", "q", "task_type", "echo", "outcome", "succeeded").increment(3);
        URI base = start(Set.of());

        HttpResponse<String> text = get(base.resolve("/metrics"), null);
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(PrometheusText.parse(text.body()).value("warren_tasks_total", java.util.Map.of("task_type", "echo")))
                .isEqualTo(3);

        HttpResponse<String> open = get(base.resolve("/metrics"), LiveWorkerMetricsTest.PROMETHEUS_ACCEPT);
        assertThat(open.headers().firstValue("Content-Type"))
                .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(open.body()).endsWith("# EOF\n");
    }

    @Test
    void healthListsEveryProblemAndIsUpWhenThereIsNone() throws Exception {
        URI base = start(checks);
        consumers.set(Optional.of("0 of 2 consumers registered on 'q'"));

        HttpResponse<String> down = get(base.resolve("/health"), null);

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("DOWN\n0 of 2 consumers registered on 'q'\n"
                + "a health check failed: java.lang.IllegalStateException: boom\nalways broken\n");

        stop();
        endpoint = null;
        URI healthy = start(Set.of(consumers::get));
        consumers.set(Optional.empty());
        HttpResponse<String> up = get(healthy.resolve("/health"), null);
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("UP\n");
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        URI base = start(Set.of());

        assertThat(get(base.resolve("/"), null).statusCode()).isEqualTo(404);
        assertThat(get(base.resolve("/metricsx"), null).statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(base.resolve("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    private URI start(Set<HealthCheck> healthChecks) throws IOException {
        endpoint = new MetricsEndpoint(registry, healthChecks, MetricsSettings.onPort(0));
        return URI.create("http://127.0.0.1:" + endpoint.start().getPort());
    }

    private HttpResponse<String> get(URI uri, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
