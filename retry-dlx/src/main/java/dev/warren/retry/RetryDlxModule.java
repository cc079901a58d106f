package dev.warren.retry;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import dev.warren.core.spi.QueueDeclarations;
import dev.warren.core.spi.FailurePolicy;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.task.TaskModule;
import java.util.Objects;

/**
 * Retries and dead-lettering for a worker: replaces core's dead-letter-everything policy with the
 * retry ladder ({@link RetrySettings}), adds in-process retries, and declares
 * {@code <queue>.retry.<delay>} and {@code <queue>.dlq} (and a quorum work queue when asked).
 * Install next to {@code CoreModule} and {@code WorkerModule}; a task type's own max attempts,
 * retry delays and non-retryable exceptions come from its {@code TaskOptions} at registration
 * ({@link RetryPolicies}).
 */
public final class RetryDlxModule extends AbstractModule {

    private final RetrySettings defaults;
    private final WorkQueueType queueType;

    public RetryDlxModule(RetrySettings defaults, WorkQueueType queueType) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.queueType = Objects.requireNonNull(queueType, "queueType");
    }

    @Override
    protected void configure() {
        bind(RetrySettings.class).toInstance(defaults);
        bind(WorkQueueType.class).toInstance(queueType);
        // Per-type settings come from the task types' options; declared so a tool without tasks can inject them.
        TaskModule.taskBinder(binder());
        OptionalBinder.newOptionalBinder(binder(), FailurePolicy.class).setBinding().to(LadderFailurePolicy.class);
        Multibinder.newSetBinder(binder(), TaskInterceptor.class).addBinding().to(InProcessRetry.class);
        Multibinder.newSetBinder(binder(), QueueDeclarations.class).addBinding().to(RetryTopology.class);
    }
}
