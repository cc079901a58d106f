package dev.warren.metrics;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.rabbitmq.client.MetricsCollector;
import com.rabbitmq.client.impl.MicrometerMetricsCollector;
import dev.warren.core.spi.ConnectionListener;
import dev.warren.core.consume.Worker;
import dev.warren.core.spi.HealthCheck;
import dev.warren.core.spi.PublishListener;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.task.TaskModule;
import dev.warren.events.EventDrops;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Singleton;
import java.util.Objects;

/**
 * Prometheus metrics and the {@code /metrics} + {@code /health} endpoint for any Warren app.
 * Install it next to {@code CoreModule} (and {@code WorkerModule} in a worker), then start the
 * {@link MetricsLifecycle} once the injector is built and close it on shutdown.
 *
 * <p>Binds a {@link PrometheusMeterRegistry} (also as {@link MeterRegistry}), a
 * {@link TaskListener}, a {@link PublishListener} and a {@link ConnectionListener} that record
 * Warren's metrics ({@link MetricNames}), and amqp-client's {@link MicrometerMetricsCollector} for
 * the connections. {@code /health} aggregates every bound {@link HealthCheck}: connections in
 * any app, consumers too in a worker. Queue depths and in-flight tasks are recorded only when a
 * {@link Worker} is bound, dropped task events ({@code warren_events_dropped_total}) only when the
 * events module is installed. Opens nothing in {@code configure()}.
 */
public final class MetricsModule extends AbstractModule {

    private final MetricsSettings settings;

    public MetricsModule(MetricsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        bind(MetricsSettings.class).toInstance(settings);
        bind(MeterRegistry.class).to(PrometheusMeterRegistry.class);
        Multibinder.newSetBinder(binder(), TaskListener.class).addBinding().to(TaskMetrics.class);
        Multibinder.newSetBinder(binder(), PublishListener.class).addBinding().to(PublishMetrics.class);
        Multibinder.newSetBinder(binder(), ConnectionListener.class).addBinding().to(ConnectionMetrics.class);
        Multibinder.newSetBinder(binder(), HealthCheck.class);
        OptionalBinder.newOptionalBinder(binder(), MetricsCollector.class).setBinding()
                .toProvider(AmqpClientMetrics.class).in(Singleton.class);
        // Present in a worker (WorkerModule binds it), absent in a producer.
        OptionalBinder.newOptionalBinder(binder(), Worker.class);
        // Present when the events module is installed.
        OptionalBinder.newOptionalBinder(binder(), EventDrops.class);
        bind(EventMetrics.class).asEagerSingleton();
        // The registered task types bound the task_type label; empty in an app without tasks.
        TaskModule.taskBinder(binder());
    }

    @Provides
    @Singleton
    PrometheusMeterRegistry registry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** amqp-client's Micrometer collector, under {@link MetricNames#AMQP_CLIENT_PREFIX}. */
    static final class AmqpClientMetrics implements jakarta.inject.Provider<MetricsCollector> {

        private final MeterRegistry registry;

        @jakarta.inject.Inject
        AmqpClientMetrics(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public MetricsCollector get() {
            return new MicrometerMetricsCollector(registry, MetricNames.AMQP_CLIENT_PREFIX);
        }
    }
}
