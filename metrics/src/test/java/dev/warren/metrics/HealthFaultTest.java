package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warren.core.CoreModule;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.testing.PrivateRabbitNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} and the connection metrics while the broker goes away and comes back, on a
 * private node (never the shared broker): a worker and a producer turn 503 naming the lost
 * connection, and 200 again once recovery is done.
 */
class HealthFaultTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void healthTurns503WhileTheBrokerIsDownAnd200AfterRecovery() throws Exception {
        try (var node = PrivateRabbitNode.builder().management(false).build()) {
            node.start();
            String queue = "health-faults";
            try (var worker = MetricsApp.worker(node.amqpUri(), queue, "fault-worker").startWorker();
                 var producer = MetricsApp.producer(node.amqpUri(), queue, "fault-producer")) {
                var mapper = CoreModule.newObjectMapper();
                producer.publisher().publish(OutgoingTask.of("echo", mapper.createObjectNode())).get(10, TimeUnit.SECONDS);
                LiveWorkerMetricsTest.awaitOutcomes(worker, 1, 0);
                assertThat(worker.get("/health", null).statusCode()).isEqualTo(200);
                assertThat(producer.get("/health", null).statusCode()).isEqualTo(200);

                node.stop();

                String lost = "broker connection to 127.0.0.1:" + node.port() + " is not open";
                await().atMost(TIMEOUT).untilAsserted(() -> {
                    HttpResponse<String> health = worker.get("/health", null);
                    assertThat(health.statusCode()).isEqualTo(503);
                    assertThat(health.body()).startsWith("DOWN\n").contains(lost);
                });
                await().atMost(TIMEOUT).untilAsserted(() -> {
                    HttpResponse<String> health = producer.get("/health", null);
                    assertThat(health.statusCode()).isEqualTo(503);
                    assertThat(health.body()).isEqualTo("DOWN\n" + lost + " (lost and recovering, or closed)\n");
                });
                PrometheusText down = worker.scrape();
                assertThat(down.value("warren_connection_recoveries_total", Map.of())).isEqualTo(2);
                await().atMost(TIMEOUT).until(() -> Double.isNaN(worker.scrape().value("warren_queue_messages",
                        Map.of("queue", queue))));

                node.start();

                await().atMost(TIMEOUT).untilAsserted(() -> {
                    HttpResponse<String> health = worker.get("/health", null);
                    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                    assertThat(producer.get("/health", null).statusCode()).isEqualTo(200);
                });
                producer.publisher().publish(OutgoingTask.of("echo", mapper.createObjectNode())).get(10, TimeUnit.SECONDS);
                LiveWorkerMetricsTest.awaitOutcomes(worker, 2, 0);
                await().atMost(TIMEOUT).until(() -> worker.scrape().value("warren_queue_consumers", Map.of("queue", queue)) == 1);
                assertThat(producer.scrape().value("warren_connection_recoveries_total", Map.of())).isEqualTo(1);
            }
        }
    }
}
