package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.spi.PublishListener.Result;
import dev.warren.core.spi.TaskOutcome;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The listeners alone, on an in-memory registry: counters and histograms move; label values stay bounded. */
class TaskMetricsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TaskTypes workerTypes = new TaskTypes(Set.of("echo", "resize"));
    private final TaskMetrics tasks = new TaskMetrics(registry, Clock.fixed(NOW, ZoneOffset.UTC), workerTypes);

    @Test
    void countersAndHistogramsMoveAsTasksSucceedRetryAndDeadLetter() {
        finish("echo", TaskOutcome.SUCCEEDED, 20);
        finish("echo", TaskOutcome.SUCCEEDED, 40);
        finish("resize", TaskOutcome.RETRIED, 100);
        finish("resize", TaskOutcome.DEAD_LETTERED, 300);

        assertThat(count("echo", "succeeded")).isEqualTo(2);
        assertThat(count("resize", "retried")).isEqualTo(1);
        assertThat(count("resize", "dead_lettered")).isEqualTo(1);
        Timer echo = registry.get(MetricNames.TASK_DURATION).tags("queue", "q", "task_type", "echo").timer();
        assertThat(echo.count()).isEqualTo(2);
        assertThat(echo.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(60);
        // The buckets Grafana's histogram_quantile needs: 20 ms and 40 ms both fall under 50 ms, not under 10 ms.
        var buckets = echo.takeSnapshot().histogramCounts();
        assertThat(buckets).anySatisfy(b -> {
            assertThat(b.bucket(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(50);
            assertThat(b.count()).isEqualTo(2);
        });
        assertThat(buckets).anySatisfy(b -> {
            assertThat(b.bucket(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(10);
            assertThat(b.count()).isZero();
        });
        assertThat(registry.get(MetricNames.TASK_DURATION).tags("task_type", "resize").timer().count()).isEqualTo(2);
    }

    @Test
    void theFirstTaskOfATypeRegistersEveryOutcomeAtZero() {
        finish("echo", TaskOutcome.SUCCEEDED, 1);

        assertThat(count("echo", "succeeded")).isEqualTo(1);
        assertThat(count("echo", "retried")).isZero();
        assertThat(count("echo", "dead_lettered")).isZero();
        assertThat(registry.find(MetricNames.TASKS).tags("task_type", "resize").counters()).isEmpty();
    }

    @Test
    void tasksOverTheSizeLimitAreCountedPerQueueFromZero() {
        finish("echo", TaskOutcome.SUCCEEDED, 1);
        assertThat(registry.get(MetricNames.TASKS_TOO_LARGE).tags("queue", "q").counter().count()).isZero();

        tasks.taskTooLarge("q", 67_108_865);
        tasks.taskTooLarge("q", 134_216_704);

        assertThat(registry.get(MetricNames.TASKS_TOO_LARGE).tags("queue", "q").counter().count()).isEqualTo(2);
    }

    @Test
    void latencyIsTheTimeFromThePublishTimestampToTheStart() {
        tasks.taskStarted("q", "echo", NOW.minusSeconds(3));
        tasks.taskStarted("q", "echo", NOW.plusSeconds(2)); // producer clock ahead: counts as no wait
        tasks.taskStarted("q", "echo", null);               // no timestamp: not recorded

        Timer latency = registry.get(MetricNames.TASK_LATENCY).tags("queue", "q", "task_type", "echo").timer();
        assertThat(latency.count()).isEqualTo(2);
        assertThat(latency.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void aDeliveryLeftForRedeliveryIsNotCountedAsFinished() {
        tasks.taskFinished("q", "echo", null, Duration.ofMillis(5));

        assertThat(registry.find(MetricNames.TASKS).counters()).isEmpty();
        assertThat(registry.find(MetricNames.TASK_DURATION).timers()).isEmpty();
    }

    @Test
    void unregisteredTaskTypesAddNoLabelValues() {
        for (int i = 0; i < 50; i++) {
            tasks.taskStarted("q", "junk-" + i, NOW);
            finish("junk-" + i, TaskOutcome.DEAD_LETTERED, 1);
        }
        finish("echo", TaskOutcome.SUCCEEDED, 1);
        var publishes = new PublishMetrics(registry, workerTypes);
        for (int i = 0; i < 50; i++) {
            // A worker dead-letters junk with its original type property.
            publishes.published("q.dlq", "junk-" + i, Result.CONFIRMED, Duration.ofMillis(1));
        }

        assertThat(taskTypes(MetricNames.TASKS)).containsExactly("echo", "unknown");
        assertThat(taskTypes(MetricNames.TASK_DURATION)).containsExactly("echo", "unknown");
        assertThat(taskTypes(MetricNames.TASK_LATENCY)).containsExactly("echo", "unknown");
        assertThat(taskTypes(MetricNames.PUBLISHED)).containsExactly("unknown");
        assertThat(registry.get(MetricNames.PUBLISHED).tags("task_type", "unknown").counter().count()).isEqualTo(50);
    }

    @Test
    void publishesCountByTypeAndResultAndTimeTheirConfirms() {
        var publishes = new PublishMetrics(registry, new TaskTypes(Set.of())); // a producer: no registered types
        publishes.published("q", "resize", Result.CONFIRMED, Duration.ofMillis(3));
        publishes.published("q", "resize", Result.CONFIRMED, Duration.ofMillis(5));
        publishes.published("q", "resize", Result.RETURNED, Duration.ofMillis(2));
        publishes.published("q", "thumbnail", Result.NACKED, Duration.ofMillis(4));
        publishes.published("q", "resize", Result.FAILED, Duration.ofSeconds(30));

        assertThat(published("resize", "confirmed")).isEqualTo(2);
        assertThat(published("resize", "returned")).isEqualTo(1);
        assertThat(published("thumbnail", "nacked")).isEqualTo(1);
        assertThat(published("resize", "failed")).isEqualTo(1);
        Timer confirms = registry.get(MetricNames.PUBLISH_CONFIRM).timer();
        // The failed publish never got an answer: it is not a confirm latency.
        assertThat(confirms.count()).isEqualTo(4);
        assertThat(confirms.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(14);
    }

    @Test
    void recoveriesCountAndBlockedIsOneWhileAnyConnectionIsBlocked() {
        var connections = new ConnectionMetrics(registry);
        assertThat(registry.get(MetricNames.CONNECTION_RECOVERIES).counter().count()).isZero();
        assertThat(blocked()).isZero();

        connections.recoveryStarted("w");
        connections.recovered("w");
        connections.recoveryStarted("w-publish");
        connections.blocked("w-publish", "low on memory");
        connections.blocked("w", "low on memory");
        connections.unblocked("w");

        assertThat(registry.get(MetricNames.CONNECTION_RECOVERIES).counter().count()).isEqualTo(2);
        assertThat(blocked()).isEqualTo(1);
        connections.unblocked("w-publish");
        assertThat(blocked()).isZero();
        connections.blocked("w", "disk");
        connections.recovered("w"); // a recovered connection is a new, unblocked one
        assertThat(blocked()).isZero();
    }

    private void finish(String type, TaskOutcome outcome, long millis) {
        tasks.taskFinished("q", type, outcome, Duration.ofMillis(millis));
    }

    private double count(String type, String outcome) {
        return registry.get(MetricNames.TASKS).tags("queue", "q", "task_type", type, "outcome", outcome).counter().count();
    }

    private double published(String type, String result) {
        return registry.get(MetricNames.PUBLISHED).tags("task_type", type, "result", result).counter().count();
    }

    private double blocked() {
        return registry.get(MetricNames.CONNECTION_BLOCKED).gauge().value();
    }

    private Set<String> taskTypes(String name) {
        Set<String> types = new TreeSet<>();
        for (Meter meter : registry.find(name).meters()) {
            types.add(meter.getId().getTag("task_type"));
        }
        return types;
    }
}
