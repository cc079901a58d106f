package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker with the metrics module on the shared broker: what {@code /metrics} and {@code /health}
 * show after real tasks, and that every metric the docs use exists.
 */
class LiveWorkerMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper MAPPER = CoreModule.newObjectMapper();
    /** The Accept header Prometheus 2.x sends. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @Test
    void aWorkersMetricsParseAsPrometheusTextAndCountWhatItDid() throws Exception {
        String queue = queues.unique("metrics-live");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "live").startWorker()) {
            publishMix(app, queue);
            awaitOutcomes(app, 5, 6);
            // The poller reads queue depths every 200 ms here: wait for the six dead letters.
            await().atMost(TIMEOUT).until(() -> app.scrape().value("warren_queue_messages", Map.of("queue", queue + ".dlq")) == 6);

            HttpResponse<String> response = app.get("/metrics", null);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.TEXT_FORMAT);
            PrometheusText metrics = PrometheusText.parse(response.body());
            Map<String, String> q = Map.of("queue", queue);

            assertThat(metrics.type("warren_tasks_total")).isEqualTo("counter");
            assertThat(metrics.value("warren_tasks_total", with(q, "task_type", "echo", "outcome", "succeeded"))).isEqualTo(5);
            assertThat(metrics.value("warren_tasks_total", with(q, "task_type", "refuse", "outcome", "dead_lettered"))).isEqualTo(2);
            assertThat(metrics.value("warren_tasks_total", with(q, "task_type", "unknown", "outcome", "dead_lettered"))).isEqualTo(4);
            // Every outcome of a seen (queue, type) pair has a series from the start, at zero until it happens.
            assertThat(metrics.samples("warren_tasks_total", with(q, "outcome", "retried")))
                    .extracting(PrometheusText.Sample::value).hasSize(3).containsOnly(0.0);

            assertThat(metrics.type("warren_task_duration_seconds")).isEqualTo("histogram");
            assertThat(metrics.value("warren_task_duration_seconds_count", with(q, "task_type", "echo"))).isEqualTo(5);
            assertThat(metrics.value("warren_task_duration_seconds_bucket", with(q, "task_type", "echo", "le", "+Inf"))).isEqualTo(5);
            assertThat(metrics.samples("warren_task_duration_seconds_bucket", with(q, "task_type", "echo"))).hasSize(17);
            assertThat(metrics.type("warren_task_latency_seconds")).isEqualTo("histogram");
            assertThat(metrics.value("warren_task_latency_seconds_count", with(q, "task_type", "echo"))).isEqualTo(5);

            assertThat(metrics.value("warren_tasks_in_flight", q)).isZero();
            assertThat(metrics.value("warren_queue_messages", q)).isZero();
            assertThat(metrics.value("warren_queue_consumers", q)).isEqualTo(1);
            assertThat(metrics.value("warren_queue_consumers", Map.of("queue", queue + ".dlq"))).isZero();

            // Published by this app: 5 echo, 2 refuse, 3 junk and 1 malformed (both "unknown"); then its
            // worker dead-lettered 2 refuse and 4 unknown.
            assertThat(metrics.value("warren_published_total", Map.of("task_type", "echo", "result", "confirmed"))).isEqualTo(5);
            assertThat(metrics.value("warren_published_total", Map.of("task_type", "refuse", "result", "confirmed"))).isEqualTo(4);
            assertThat(metrics.value("warren_published_total", Map.of("task_type", "unknown", "result", "confirmed"))).isEqualTo(8);
            assertThat(metrics.value("warren_publish_confirm_seconds_count", Map.of())).isEqualTo(17);

            assertThat(metrics.value("warren_connection_recoveries_total", Map.of())).isZero();
            assertThat(metrics.value("warren_connection_blocked", Map.of())).isZero();
            assertThat(metrics.value("warren_amqp_connections", Map.of())).isEqualTo(2);
            assertThat(metrics.value("warren_amqp_consumed_total", Map.of())).isEqualTo(11);
            assertThat(metrics.sampleNames()).contains("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                    "jvm_threads_live_threads", "process_uptime_seconds", "process_cpu_usage", "process_files_open_files");
        }
    }

    @Test
    void prometheusGetsOpenMetricsWhenItAsksForThem() throws Exception {
        String queue = queues.unique("metrics-om");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "om").startWorker()) {
            app.publisher().publish(OutgoingTask.of("echo", MAPPER.createObjectNode())).get(10, TimeUnit.SECONDS);
            awaitOutcomes(app, 1, 0);

            HttpResponse<String> response = app.get("/metrics", PROMETHEUS_ACCEPT);

            assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.OPENMETRICS_FORMAT);
            assertThat(response.body()).contains("# TYPE warren_tasks counter\n")
                    .contains("warren_tasks_total{outcome=\"succeeded\",queue=\"" + queue + "\",task_type=\"echo\"} 1.0")
                    .endsWith("# EOF\n");
        }
    }

    @Test
    void unregisteredTaskTypesAddNoLabelValues() throws Exception {
        String queue = queues.unique("metrics-junk");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "junk").startWorker()) {
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                confirms.add(app.publisher().publish(new OutgoingTask(UUID.randomUUID().toString(), "junk-" + i,
                        MAPPER.createObjectNode(), queue, null, null, null)));
            }
            confirms.add(app.publisher().publish(OutgoingTask.of("echo", MAPPER.createObjectNode())));
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            awaitOutcomes(app, 1, 40);

            PrometheusText metrics = app.scrape();

            Set<String> seen = new TreeSet<>();
            metrics.samples().stream().filter(s -> s.name().startsWith("warren_") && s.labels().containsKey("task_type"))
                    .forEach(s -> seen.add(s.label("task_type")));
            assertThat(seen).containsExactlyInAnyOrder("echo", "unknown");
            assertThat(metrics.value("warren_tasks_total", Map.of("task_type", "unknown", "outcome", "dead_lettered")))
                    .isEqualTo(40);
        }
    }

    @Test
    void aMissingQueueReadsAsNaNAndThePollerCarriesOn() throws Exception {
        String queue = queues.unique("metrics-poll");
        String dlq = queue + ".dlq";
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "poll").startWorker();
             Connection connection = RabbitBroker.shared().connect("warren-test-metrics-poll")) {
            await().atMost(TIMEOUT).until(() -> app.scrape().value("warren_queue_consumers", Map.of("queue", queue)) == 1);
            Channel channel = connection.createChannel();

            channel.queueDelete(dlq);
            await().atMost(TIMEOUT).until(() -> Double.isNaN(app.scrape().value("warren_queue_messages", Map.of("queue", dlq))));
            assertThat(app.scrape().value("warren_queue_consumers", Map.of("queue", queue))).isEqualTo(1);

            channel.queueDeclare(dlq, true, false, false, null);
            for (int i = 0; i < 3; i++) {
                channel.basicPublish("", dlq, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                        "{}".getBytes(StandardCharsets.UTF_8));
            }
            await().atMost(TIMEOUT).until(() -> app.scrape().value("warren_queue_messages", Map.of("queue", dlq)) == 3);
            assertThat(app.get("/health", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void healthIsUpOnlyWhileEveryConsumerIsRegistered() throws Exception {
        String queue = queues.unique("metrics-health");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "health")) {
            HttpResponse<String> before = app.get("/health", null);
            assertThat(before.statusCode()).isEqualTo(503);
            assertThat(before.body()).isEqualTo("DOWN\n0 of 1 consumers registered on '" + queue + "'\n");

            app.startWorker();
            HttpResponse<String> running = app.get("/health", null);
            assertThat(running.statusCode()).isEqualTo(200);
            assertThat(running.body()).isEqualTo("UP\n");

            app.worker().stop();
            assertThat(app.get("/health", null).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void theDashboardAndTheAlertsUseOnlyMetricsThatALiveWorkerHas() throws Exception {
        String queue = queues.unique("metrics-docs");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "docs").startWorker()) {
            publishMix(app, queue);
            awaitOutcomes(app, 5, 6);
            Set<String> available = app.scrape().sampleNames();

            Map<String, String> queries = new java.util.LinkedHashMap<>();
            Docs.alertExpressions().forEach((alert, expr) -> queries.put("alert " + alert, expr));
            Docs.dashboardQueries().forEach((where, expr) -> queries.put("dashboard " + where, expr));
            assertThat(queries).hasSizeGreaterThan(15);
            List<String> missing = new ArrayList<>();
            Set<String> used = new TreeSet<>();
            queries.forEach((where, expr) -> {
                Set<String> names = PromQl.metricNames(expr);
                assertThat(names).as("metrics of %s: %s", where, expr).isNotEmpty();
                for (String name : names) {
                    used.add(name);
                    if (!available.contains(name) && !isExempt(name)) {
                        missing.add(name + " (" + where + ")");
                    }
                }
            });

            assertThat(missing).as("metric names in docs/ that a live worker's /metrics does not have").isEmpty();
            assertThat(used).contains("warren_tasks_total", "warren_task_duration_seconds_bucket",
                    "warren_task_latency_seconds_bucket", "warren_queue_messages", "warren_queue_consumers",
                    "warren_tasks_in_flight", "warren_connection_recoveries_total", "warren_publish_confirm_seconds_bucket");
        }
    }

    @Test
    void everyWarrenMetricOfALiveWorkerIsDocumented() throws Exception {
        String queue = queues.unique("metrics-doc");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "doc").startWorker()) {
            publishMix(app, queue);
            awaitOutcomes(app, 5, 6);
            String guide = Docs.text("monitoring.md");

            Set<String> undocumented = new TreeSet<>();
            for (String name : app.scrape().sampleNames()) {
                String family = name.replaceAll("_(bucket|count|sum|max)$", "");
                if (family.startsWith("warren_") && !family.startsWith("warren_amqp_") && !guide.contains(family)) {
                    undocumented.add(family);
                }
            }
            assertThat(undocumented).as("warren_ metrics that docs/monitoring.md does not mention").isEmpty();
        }
    }

    @Test
    void aProducerHasPublishMetricsAndConnectionHealthOnly() throws Exception {
        String queue = queues.unique("metrics-producer");
        try (Connection connection = RabbitBroker.shared().connect("warren-test-metrics-producer")) {
            connection.createChannel().queueDeclare(queue, true, false, false, null);
        }
        try (var app = MetricsApp.producer(RabbitBroker.shared().amqpUri(), queue, "producer")) {
            for (int i = 0; i < 3; i++) {
                app.publisher().publish(OutgoingTask.of("resize_image", MAPPER.createObjectNode())).get(10, TimeUnit.SECONDS);
            }
            var unroutable = app.publisher().publish(new OutgoingTask(UUID.randomUUID().toString(), "resize_image",
                    MAPPER.createObjectNode(), queues.unique("metrics-nowhere"), null, null, null));
            await().atMost(TIMEOUT).until(unroutable::isDone);

            PrometheusText metrics = app.scrape();

            assertThat(metrics.value("warren_published_total", Map.of("task_type", "resize_image", "result", "confirmed"))).isEqualTo(3);
            assertThat(metrics.value("warren_published_total", Map.of("task_type", "resize_image", "result", "returned"))).isEqualTo(1);
            assertThat(metrics.value("warren_publish_confirm_seconds_count", Map.of())).isEqualTo(4);
            assertThat(metrics.sampleNames()).doesNotContain("warren_tasks_in_flight", "warren_queue_messages", "warren_tasks_total");
            HttpResponse<String> health = app.get("/health", null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("UP\n");
        }
    }

    /** 5 echo (succeed), 2 refuse (dead-lettered), 3 of an unregistered type and 1 malformed (dead-lettered as unknown). */
    static void publishMix(MetricsApp app, String queue) throws Exception {
        List<CompletableFuture<Void>> confirms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            confirms.add(app.publisher().publish(OutgoingTask.of("echo", MAPPER.createObjectNode().put("i", i))));
        }
        for (int i = 0; i < 2; i++) {
            confirms.add(app.publisher().publish(OutgoingTask.of("refuse", MAPPER.createObjectNode())));
        }
        for (int i = 0; i < 3; i++) {
            confirms.add(app.publisher().publish(new OutgoingTask(UUID.randomUUID().toString(), "made_up_" + i,
                    MAPPER.createObjectNode(), queue, null, null, null)));
        }
        confirms.add(app.publisher().publishRaw(queue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
                "not json".getBytes(StandardCharsets.UTF_8)));
        CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }

    static void awaitOutcomes(MetricsApp app, long succeeded, long deadLettered) {
        await().atMost(TIMEOUT).until(() -> app.worker().stats().count(TaskOutcome.SUCCEEDED) == succeeded
                && app.worker().stats().count(TaskOutcome.DEAD_LETTERED) == deadLettered);
    }

    /** Series Warren does not export: the broker's own (rabbitmq_prometheus) and Prometheus' synthetic ones. */
    static boolean isExempt(String name) {
        return name.startsWith("rabbitmq_") || name.equals("up") || name.startsWith("scrape_");
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> result = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            result.put(pairs[i], pairs[i + 1]);
        }
        return result;
    }
}
