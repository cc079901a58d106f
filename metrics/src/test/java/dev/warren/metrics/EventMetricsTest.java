package dev.warren.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.publish.RouteTable;
import dev.warren.events.Event;
import dev.warren.events.EventPublisher;
import dev.warren.events.EventsModule;
import dev.warren.events.EventsSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code warren_events_dropped_total}: present with the events module, by reason; absent without it. */
class EventMetricsTest {

    private static Injector app(boolean events) {
        CoreModule core = new CoreModule(AmqpSettings.of("amqp://guest:guest@127.0.0.1:1/"), RouteTable.allTo("q"));
        MetricsModule metrics = new MetricsModule(MetricsSettings.disabled());
        return events ? Guice.createInjector(core, metrics, new EventsModule(EventsSettings.defaults(), "w"))
                : Guice.createInjector(core, metrics);
    }

    @Test
    void droppedEventsAreExportedByReasonWithEveryReasonAtZeroFirst() {
        Injector injector = app(true);
        PrometheusMeterRegistry registry = injector.getInstance(PrometheusMeterRegistry.class);
        assertThat(registry.scrape()).contains("warren_events_dropped_total{reason=\"buffer_full\"} 0.0",
                "warren_events_dropped_total{reason=\"refused\"} 0.0");

        // A closed publisher drops what it is offered (never started: no connection is tried).
        EventPublisher publisher = injector.getInstance(EventPublisher.class);
        publisher.close();
        publisher.offer(new Event("started", "id", "t", "q", 1, "w", Instant.now(), null, null, null, null, null, null));

        assertThat(registry.scrape()).contains("warren_events_dropped_total{reason=\"shutdown\"} 1.0");
    }

    @Test
    void anAppWithoutEventsHasNoEventsMetric() {
        assertThat(app(false).getInstance(PrometheusMeterRegistry.class).scrape())
                .doesNotContain("warren_events_dropped_total");
    }
}
