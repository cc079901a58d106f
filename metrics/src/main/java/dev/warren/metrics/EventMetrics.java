package dev.warren.metrics;

import dev.warren.events.EventDrops;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * {@code warren_events_dropped_total{reason}}: task events dropped instead of published, read
 * from the events module's {@link EventDrops} on each scrape. All reasons are registered at once,
 * so {@code rate()} sees zeros rather than no series. Registers nothing in an app without events.
 */
@Singleton
final class EventMetrics {

    @Inject
    EventMetrics(Optional<EventDrops> drops, MeterRegistry registry) {
        drops.ifPresent(d -> {
            for (EventDrops.Reason reason : EventDrops.Reason.values()) {
                FunctionCounter.builder(MetricNames.EVENTS_DROPPED, d, x -> x.count(reason))
                        .description("Task events dropped instead of published to the stream, by reason")
                        .tag(MetricNames.REASON, reason.label())
                        .register(registry);
            }
        });
    }
}
