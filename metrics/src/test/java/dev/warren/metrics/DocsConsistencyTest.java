package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/docker-compose.yml cannot run here (no Docker), so this keeps it consistent with the files
 * that are tested: the workers it starts are the targets prometheus.yml scrapes, on the port and
 * address the metrics options take, and every file it mounts exists.
 */
class DocsConsistencyTest {

    @Test
    void composeWorkersAreTheTargetsThePrometheusConfigScrapes() {
        JsonNode services = Docs.yaml("docker-compose.yml").path("services");
        Set<String> workers = new TreeSet<>();
        services.fields().forEachRemaining(service -> {
            JsonNode env = service.getValue().path("environment");
            if (env.has("WARREN_METRICS_PORT")) {
                assertThat(env.path("WARREN_METRICS_BIND").asText()).as("%s binds all interfaces", service.getKey())
                        .isEqualTo("0.0.0.0");
                assertThat(env.path("WARREN_AMQP_URI").asText()).startsWith("amqp://warren:warren@rabbitmq:5672/");
                workers.add(service.getKey() + ":" + env.path("WARREN_METRICS_PORT").asText());
            }
        });
        assertThat(workers).hasSize(2);

        Set<String> scraped = new TreeSet<>();
        Set<String> jobs = new TreeSet<>();
        for (JsonNode job : Docs.yaml("prometheus/prometheus.yml").path("scrape_configs")) {
            jobs.add(job.path("job_name").asText());
            if (job.path("job_name").asText().equals("warren-worker")) {
                job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> scraped.add(t.asText())));
            }
        }
        assertThat(scraped).isEqualTo(workers);
        assertThat(jobs).containsExactlyInAnyOrder("warren-worker", "warren-producer", "rabbitmq");
        JsonNode rabbitmqEnv = services.path("rabbitmq").path("environment");
        assertThat(rabbitmqEnv.path("RABBITMQ_DEFAULT_USER").asText()).isEqualTo("warren");
        assertThat(services.path("rabbitmq").path("ports").toString()).contains("15692:15692");
        assertThat(Docs.text("rabbitmq/enabled_plugins")).contains("rabbitmq_prometheus");
    }

    @Test
    void everyFileTheComposeFileMountsExists() {
        List<String> missing = new ArrayList<>();
        Docs.yaml("docker-compose.yml").path("services").fields().forEachRemaining(service ->
                service.getValue().path("volumes").forEach(volume -> {
                    String source = volume.asText().split(":")[0];
                    if (source.startsWith("./") && !Files.exists(Docs.dir().resolve(source))) {
                        missing.add(service.getKey() + ": " + source);
                    }
                }));
        assertThat(missing).isEmpty();
        assertThat(Docs.text("docker-compose.yml")).contains("../worker-app/target/worker-app.jar");
        assertThat(Docs.yaml("grafana/provisioning/dashboards/warren.yml").path("providers").get(0)
                .path("options").path("path").asText()).isEqualTo("/var/lib/grafana/dashboards");
        assertThat(Docs.yaml("grafana/provisioning/datasources/prometheus.yml").path("datasources").get(0)
                .path("url").asText()).isEqualTo("http://prometheus:9090");
    }

    @Test
    void theDashboardIsImportableAndUsesItsDataSourceVariable() {
        JsonNode dashboard = Docs.json("grafana/warren-dashboard.json");
        assertThat(dashboard.path("uid").asText()).isEqualTo("warren");
        assertThat(dashboard.path("id").isMissingNode() || dashboard.path("id").isNull()).isTrue();
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : Docs.panels(dashboard)) {
            titles.add(panel.path("title").asText());
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
        }
        assertThat(titles).hasSize(13).doesNotHaveDuplicates();
        assertThat(String.join("\n", titles)).contains("Throughput", "Task duration", "End-to-end latency",
                "Queue depth", "Tasks in flight", "Connection recoveries", "Publish confirm latency");
    }
}
