package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With the real Prometheus (Debian package {@code prometheus}; missing, these tests fail saying
 * how to install it): the docs' config and rules pass promtool, and a Prometheus server of the
 * test's own scrapes a worker and counts the tasks the test ran.
 */
class PrometheusServerTest {

    private static final Logger log = LoggerFactory.getLogger(PrometheusServerTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int TASKS = 25;

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @Test
    void promtoolAcceptsTheScrapeConfigAndTheAlertRules() {
        Path promtool = PrometheusTools.promtool();
        Path dir = Docs.file("prometheus");

        var config = PrometheusTools.run(TIMEOUT, dir, promtool.toString(), "check", "config", "prometheus.yml");
        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).doesNotContain("WARNING").contains("SUCCESS: 1 rule files found");
        var rules = PrometheusTools.run(TIMEOUT, dir, promtool.toString(), "check", "rules", "alerts.yml");
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        assertThat(rules.output()).contains("SUCCESS: " + Docs.alertExpressions().size() + " rules found");
        var tests = PrometheusTools.run(TIMEOUT, dir, promtool.toString(), "test", "rules", "alerts-test.yml");
        assertThat(tests.exitCode()).as(tests.output()).isZero();
    }

    @Test
    void prometheusScrapesAWorkerAndCountsTheTasksItProcessed() throws Exception {
        String queue = queues.unique("metrics-prom");
        try (var app = MetricsApp.worker(RabbitBroker.shared().amqpUri(), queue, "prom").startWorker()) {
            var mapper = CoreModule.newObjectMapper();
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                confirms.add(app.publisher().publish(OutgoingTask.of("echo", mapper.createObjectNode().put("i", i))));
            }
            confirms.add(app.publisher().publish(OutgoingTask.of("refuse", mapper.createObjectNode())));
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            LiveWorkerMetricsTest.awaitOutcomes(app, TASKS, 1);
            lintsWarrensMetricsCleanly(app);

            try (var prometheus = PrometheusServer.start("warren-worker", List.of("127.0.0.1:" + app.port()),
                    List.of(Docs.file("prometheus/alerts.yml").toAbsolutePath()))) {
                String processed = "sum(warren_tasks_total{queue=\"" + queue + "\",outcome=\"succeeded\"})";
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
                        .until(() -> prometheus.value(processed) == TASKS);
                double deadLettered = prometheus.value("sum(warren_tasks_total{queue=\"" + queue
                        + "\",outcome=\"dead_lettered\"})");
                double dlqDepth = prometheus.value("max(warren_queue_messages{queue=\"" + queue + ".dlq\"})");
                log.info("Prometheus {} scraped the worker: {} = {}, dead-lettered = {}, DLQ depth = {}",
                        prometheus.uri(), processed, TASKS, deadLettered, dlqDepth);
                assertThat(deadLettered).isEqualTo(1);

                JsonNode target = prometheus.get("/api/v1/targets").path("data").path("activeTargets").get(0);
                assertThat(target.path("health").asText()).as(target.toString()).isEqualTo("up");
                assertThat(target.path("lastError").asText()).isEmpty();

                everyDashboardQueryEvaluates(prometheus, queue);
                await().atMost(TIMEOUT).untilAsserted(() -> everyAlertRuleEvaluates(prometheus));
                log.info("Prometheus log (warnings and errors):\n{}", prometheus.log());
            }
        }
    }

    /** {@code promtool check metrics} parses a scrape and lints it; Warren's own metrics must be clean. */
    private static void lintsWarrensMetricsCleanly(MetricsApp app) throws Exception {
        Path scrape = Files.createTempFile("warren-scrape-", ".txt");
        try {
            Files.writeString(scrape, app.get("/metrics", null).body());
            var lint = PrometheusTools.run(TIMEOUT, Path.of("."), scrape, PrometheusTools.promtool().toString(),
                    "check", "metrics");
            // Exit 3 means lint findings only; a parse error exits 1.
            assertThat(lint.exitCode()).as(lint.output()).isIn(0, 3);
            assertThat(lint.output().lines()
                    .filter(line -> line.startsWith("warren_") && !line.startsWith("warren_amqp_")))
                    .as("promtool check metrics findings about Warren's own metrics").isEmpty();
        } finally {
            Files.deleteIfExists(scrape);
        }
    }

    /** Every dashboard query, with Grafana's variables filled in, is valid PromQL that Prometheus evaluates. */
    private static void everyDashboardQueryEvaluates(PrometheusServer prometheus, String queue) {
        // Panels whose queries must have data by now, not merely evaluate; found by title, so a
        // renamed panel fails here instead of silently dropping out of the check.
        assertThat(Docs.dashboardQueries().keySet())
                .anyMatch(title -> title.contains("Throughput")).anyMatch(title -> title.contains("Queue depth"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (Map.Entry<String, String> query : Docs.dashboardQueries().entrySet()) {
                String promql = query.getValue()
                        .replace("$__rate_interval", "5s")
                        .replace("$queue", queue)
                        .replaceAll("^label_values\\((.*), *\\w+\\)$", "$1");
                JsonNode data = prometheus.query(promql);
                if (query.getKey().contains("Throughput") || query.getKey().contains("Queue depth")) {
                    assertThat(data.path("result")).as("%s: %s", query.getKey(), promql).isNotEmpty();
                }
            }
        });
    }

    private static void everyAlertRuleEvaluates(PrometheusServer prometheus) {
        JsonNode groups = prometheus.get("/api/v1/rules").path("data").path("groups");
        List<String> rules = new ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("health").asText()).as("rule %s: %s", rule.path("name").asText(), rule)
                        .isEqualTo("ok");
                rules.add(rule.path("name").asText());
            }
        }
        assertThat(rules).containsExactlyElementsOf(Docs.alertExpressions().keySet());
    }
}
