package dev.warren.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.rabbitmq.client.MetricsCollector;
import com.rabbitmq.client.NoOpMetricsCollector;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.spi.ConnectionListener;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.spi.HealthCheck;
import dev.warren.core.spi.PublishListener;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Warren's core wiring for any app that talks to the broker: settings, the {@code Clock}, the
 * JSON mapper of the wire format, connections ({@link dev.warren.core.connection.AmqpConnections})
 * and the {@link dev.warren.core.publish.TaskPublisher}. Opens nothing itself: connections open
 * on first use. Install {@link WorkerModule} as well to consume.
 *
 * <p>Extension points: {@code Multibinder}s of {@link ConnectionListener}, {@link PublishListener}
 * and {@link HealthCheck} (core adds "connections open"), and an {@code OptionalBinder} of
 * amqp-client's {@link MetricsCollector} for the connections, {@link NoOpMetricsCollector} by
 * default (the metrics module replaces it).
 */
public final class CoreModule extends AbstractModule {

    private final AmqpSettings amqp;
    private final RouteTable routes;

    /** Core wiring for {@code amqp}, publishing every task type to {@code routes}. */
    public CoreModule(AmqpSettings amqp, RouteTable routes) {
        this.amqp = Objects.requireNonNull(amqp, "amqp");
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    @Override
    protected void configure() {
        bind(AmqpSettings.class).toInstance(amqp);
        bind(RouteTable.class).toInstance(routes);
        bind(Clock.class).toInstance(Clock.systemUTC());
        Multibinder.newSetBinder(binder(), ConnectionListener.class);
        Multibinder.newSetBinder(binder(), PublishListener.class);
        OptionalBinder.newOptionalBinder(binder(), MetricsCollector.class).setDefault().to(NoOpMetricsCollector.class);
    }

    /** Healthy only while every broker connection opened so far is open (not lost, not recovering). */
    @ProvidesIntoSet
    HealthCheck connectionsOpen(AmqpConnections connections, AmqpSettings settings) {
        return () -> connections.isOpen() ? Optional.empty()
                : Optional.of("broker connection to " + String.join(",", settings.endpoints())
                        + " is not open (lost and recovering, or closed)");
    }

    /** The mapper of the wire format: snake_case names, unknown fields ignored. */
    @Provides
    @Singleton
    ObjectMapper objectMapper() {
        return newObjectMapper();
    }

    /** A mapper configured like the one Warren injects (snake_case, unknown fields ignored, no nulls for primitives). */
    public static ObjectMapper newObjectMapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }
}
