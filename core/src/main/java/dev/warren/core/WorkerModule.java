package dev.warren.core;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.spi.QueueDeclaration;
import dev.warren.core.spi.QueueDeclarations;
import dev.warren.core.consume.Worker;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.HealthCheck;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.task.TaskModule;
import java.util.Objects;
import java.util.Optional;

/**
 * Wiring for a worker ({@link dev.warren.core.consume.Worker}): its settings, the task-type map
 * that {@link TaskModule}s fill, the {@link TaskListener} set, the queues to declare and the
 * {@link FailurePolicy}, which defaults to dead-lettering every failure to {@code <queue>.dlq},
 * and a {@link HealthCheck} that every consumer is registered. Install with {@link CoreModule}.
 */
public final class WorkerModule extends AbstractModule {

    private final WorkerSettings settings;

    public WorkerModule(WorkerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        bind(WorkerSettings.class).toInstance(settings);
        // Explicit, so modules can ask for an OptionalBinder<Worker> (present only in a worker app).
        bind(Worker.class);
        TaskModule.taskBinder(binder());
        Multibinder.newSetBinder(binder(), TaskListener.class);
        Multibinder.newSetBinder(binder(), TaskInterceptor.class);
        Multibinder.newSetBinder(binder(), QueueDeclarations.class);
        Multibinder.newSetBinder(binder(), QueueDeclaration.class).addBinding()
                .toInstance(QueueDeclaration.plain(DeadLetterOnFailure.deadLetterQueue(settings.queue())));
        OptionalBinder.newOptionalBinder(binder(), FailurePolicy.class).setDefault().to(DeadLetterOnFailure.class);
    }

    /** Healthy only while every consumer is registered with the broker (not before start, nor after stop). */
    @ProvidesIntoSet
    HealthCheck consumersRegistered(Worker worker) {
        return () -> {
            int registered = worker.consumersRegistered();
            return registered == settings.concurrency() ? Optional.empty()
                    : Optional.of(registered + " of " + settings.concurrency() + " consumers registered on '"
                            + settings.queue() + "'");
        };
    }
}
