package dev.warren.metrics;

import dev.warren.core.spi.PublishListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Records every confirmed publish of the {@code TaskPublisher} (tasks, retries, dead letters,
 * results, and prefetched tasks a stopping worker puts back on their queue):
 * {@code warren_published_total{task_type,result}} and {@code warren_publish_confirm_seconds}. The routing key is not a label: reply queues are
 * per-request names. Thread-safe and non-blocking.
 */
@Singleton
final class PublishMetrics implements PublishListener {

    private final TaskTypes types;
    private final Meter.MeterProvider<Counter> published;
    private final Timer confirms;

    @Inject
    PublishMetrics(MeterRegistry registry, TaskTypes types) {
        this.types = types;
        this.published = Counter.builder(MetricNames.PUBLISHED)
                .description("Publishes by task type and how they ended (confirmed, nacked, returned, failed)")
                .withRegistry(registry);
        this.confirms = Timer.builder(MetricNames.PUBLISH_CONFIRM)
                .description("Time from publish to the broker's answer (confirm, nack or return)")
                .serviceLevelObjectives(Buckets.PUBLISH_CONFIRM)
                .register(registry);
    }

    @Override
    public void published(String routingKey, String taskType, Result result, Duration latency) {
        published.withTags(MetricNames.TASK_TYPE, types.label(taskType), MetricNames.RESULT, result.label()).increment();
        if (result != Result.FAILED) {
            // A failed publish got no answer from the broker: its latency says nothing about confirms.
            confirms.record(latency);
        }
    }
}
