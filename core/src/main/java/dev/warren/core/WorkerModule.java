package dev.warren.core;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.consume.DeadLetterOnFailure;
import dev.warren.core.consume.QueueDeclaration;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.task.TaskModule;
import java.util.Objects;

/**
 * Wiring for a worker ({@link dev.warren.core.consume.Worker}): its settings, the task-type map
 * that {@link TaskModule}s fill, the {@link TaskListener} set, the queues to declare and the
 * {@link FailurePolicy}, which defaults to dead-lettering every failure to {@code <queue>.dlq}.
 * Install with {@link CoreModule}.
 */
public final class WorkerModule extends AbstractModule {

    private final WorkerSettings settings;

    public WorkerModule(WorkerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        bind(WorkerSettings.class).toInstance(settings);
        TaskModule.taskBinder(binder());
        Multibinder.newSetBinder(binder(), TaskListener.class);
        Multibinder.newSetBinder(binder(), QueueDeclaration.class).addBinding()
                .toInstance(QueueDeclaration.plain(DeadLetterOnFailure.deadLetterQueue(settings.queue())));
        OptionalBinder.newOptionalBinder(binder(), FailurePolicy.class).setDefault().to(DeadLetterOnFailure.class);
    }
}
