package dev.warren.metrics;

import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Records what a worker does with its tasks: {@code warren_tasks_total},
 * {@code warren_task_duration_seconds} and {@code warren_task_latency_seconds}. Task types pass
 * through {@link TaskTypes}, so label values stay bounded. Thread-safe and non-blocking.
 */
@Singleton
final class TaskMetrics implements TaskListener {

    private final Clock clock;
    private final TaskTypes types;
    private final Meter.MeterProvider<Counter> tasks;
    private final Meter.MeterProvider<Timer> durations;
    private final Meter.MeterProvider<Timer> latencies;

    @Inject
    TaskMetrics(MeterRegistry registry, Clock clock, TaskTypes types) {
        this.clock = clock;
        this.types = types;
        this.tasks = Counter.builder(MetricNames.TASKS)
                .description("Finished task deliveries by queue, task type and outcome")
                .withRegistry(registry);
        this.durations = Timer.builder(MetricNames.TASK_DURATION)
                .description("Time from delivery to acknowledgement of a task")
                .serviceLevelObjectives(Buckets.TASK_DURATION)
                .withRegistry(registry);
        this.latencies = Timer.builder(MetricNames.TASK_LATENCY)
                .description("Time from the task's publish timestamp (1 s resolution) to the start of its handling")
                .serviceLevelObjectives(Buckets.TASK_LATENCY)
                .withRegistry(registry);
    }

    @Override
    public void taskStarted(String queue, String taskType, Instant publishedAt) {
        if (publishedAt == null) {
            return;
        }
        // Clocks of producer and worker may disagree a little; a negative wait is a zero wait.
        Duration waited = Duration.between(publishedAt, clock.instant());
        latencies.withTags(tags(queue, taskType)).record(waited.isNegative() ? Duration.ZERO : waited);
    }

    @Override
    public void taskFinished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
        if (outcome == null) {
            // Left for redelivery (its failure could not be moved on): the next delivery counts it.
            return;
        }
        Tags tags = tags(queue, taskType);
        tasks.withTags(tags.and(MetricNames.OUTCOME, outcome.label())).increment();
        durations.withTags(tags).record(duration);
    }

    private Tags tags(String queue, String taskType) {
        return Tags.of(MetricNames.QUEUE, queue, MetricNames.TASK_TYPE, types.label(taskType));
    }
}
