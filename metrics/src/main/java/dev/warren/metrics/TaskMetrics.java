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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Records what a worker does with its tasks: {@code warren_tasks_total},
 * {@code warren_task_duration_seconds}, {@code warren_task_latency_seconds} and
 * {@code warren_tasks_too_large_total}. Task types pass
 * through {@link TaskTypes}, so label values stay bounded. Thread-safe and non-blocking.
 *
 * <p>The meters of a (queue, task type) pair are looked up once and kept: building tags and
 * finding a meter in the registry for every task cost about a tenth of a worker's CPU on a no-op
 * task. All three outcome counters of a pair are registered together, so {@code rate()} over an
 * outcome that has not happened yet sees a zero rather than no series.
 */
@Singleton
final class TaskMetrics implements TaskListener {

    private static final TaskOutcome[] OUTCOMES = TaskOutcome.values();

    private final Clock clock;
    private final TaskTypes types;
    private final Meter.MeterProvider<Counter> tasks;
    private final Meter.MeterProvider<Timer> durations;
    private final Meter.MeterProvider<Timer> latencies;
    private final Meter.MeterProvider<Counter> tooLarge;
    // queue -> task type label -> meters. Both levels are bounded: a worker consumes a few queues,
    // and TaskTypes folds unregistered types into one label.
    private final ConcurrentMap<String, ConcurrentMap<String, TypeMeters>> meters = new ConcurrentHashMap<>();

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
        this.tooLarge = Counter.builder(MetricNames.TASKS_TOO_LARGE)
                .description("Deliveries whose body was over the worker's --max-message-bytes, moved to the DLQ unread")
                .withRegistry(registry);
    }

    @Override
    public void taskStarted(String queue, String taskType, Instant publishedAt) {
        if (publishedAt == null) {
            return;
        }
        // Clocks of producer and worker may disagree a little; a negative wait is a zero wait.
        Duration waited = Duration.between(publishedAt, clock.instant());
        meters(queue, taskType).latency.record(waited.isNegative() ? Duration.ZERO : waited);
    }

    @Override
    public void taskFinished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
        if (outcome == null) {
            // Left for redelivery (its failure could not be moved on): the next delivery counts it.
            return;
        }
        TypeMeters m = meters(queue, taskType);
        m.outcomes[outcome.ordinal()].increment();
        m.duration.record(duration);
    }

    @Override
    public void taskTooLarge(String queue, long bodyBytes) {
        // Rare: a registry lookup per event costs nothing worth caching.
        tooLarge.withTags(MetricNames.QUEUE, queue).increment();
    }

    private TypeMeters meters(String queue, String taskType) {
        String label = types.label(taskType);
        ConcurrentMap<String, TypeMeters> byType = meters.get(queue);
        if (byType == null) {
            byType = meters.computeIfAbsent(queue, q -> {
                // Registered with the queue's first task, so rate() over it sees a zero, not no series.
                tooLarge.withTags(MetricNames.QUEUE, q);
                return new ConcurrentHashMap<>();
            });
        }
        TypeMeters m = byType.get(label);
        if (m == null) {
            m = byType.computeIfAbsent(label, l -> new TypeMeters(Tags.of(MetricNames.QUEUE, queue, MetricNames.TASK_TYPE, l)));
        }
        return m;
    }

    /** The meters of one (queue, task type) pair. */
    private final class TypeMeters {
        final Counter[] outcomes = new Counter[OUTCOMES.length];
        final Timer duration;
        final Timer latency;

        TypeMeters(Tags tags) {
            for (TaskOutcome outcome : OUTCOMES) {
                outcomes[outcome.ordinal()] = tasks.withTags(tags.and(MetricNames.OUTCOME, outcome.label()));
            }
            duration = durations.withTags(tags);
            latency = latencies.withTags(tags);
        }
    }
}
