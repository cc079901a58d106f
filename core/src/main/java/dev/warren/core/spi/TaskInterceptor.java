package dev.warren.core.spi;

import dev.warren.core.task.TaskContext;
import java.util.concurrent.Callable;

/**
 * Wraps each run of a handler, for example to retry it in process before the failure reaches
 * the {@link FailurePolicy} (the retry-dlx module does). Register with a Guice
 * {@code Multibinder<TaskInterceptor>}; the first registered is the outermost. Called on consumer
 * threads, concurrently.
 */
@FunctionalInterface
public interface TaskInterceptor {

    /** Runs {@code attempt} (the handler, within its time limit) and returns its result or throws. */
    Object intercept(TaskContext context, Callable<Object> attempt) throws Exception;
}
