package dev.warren.events;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.spi.TaskListener;
import jakarta.inject.Singleton;
import java.util.Objects;

/**
 * Task events for a Warren app: binds {@link EventsSettings}, the {@link EventDrops} counts and
 * the {@link EventPublisher}, and in a worker a {@link TaskListener} that publishes every
 * {@link dev.warren.core.spi.TaskEvent} as {@code source}. Install next to {@code CoreModule}
 * (and {@code WorkerModule}). Opens nothing: the app calls {@link EventPublisher#start()} once the
 * injector is built and {@link EventPublisher#close()} after stopping its worker (it flushes).
 */
public final class EventsModule extends AbstractModule {

    private final EventsSettings settings;
    private final String source;

    /** Events to {@code settings}' stream, emitted as {@code source} (the worker's or producer's name). */
    public EventsModule(EventsSettings settings, String source) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    protected void configure() {
        bind(EventsSettings.class).toInstance(settings);
    }

    @Provides
    @Singleton
    EventDrops drops() {
        return new EventDrops(settings.stream());
    }

    @Provides
    @Singleton
    EventPublisher publisher(AmqpConnections connections, EventDrops drops) {
        return new EventPublisher(settings, connections, drops);
    }

    @ProvidesIntoSet
    TaskListener listener(EventPublisher publisher) {
        return new EventsListener(publisher, source);
    }
}
