package dev.warren.core.spi;

import dev.warren.core.task.TaskContext;
import java.time.Duration;
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

    /**
     * The longest {@link #intercept} can take for a task of {@code taskType} when each call of its
     * {@code attempt} takes at most {@code attempt} (the type's time limit, or what inner
     * interceptors make of it): an interceptor that calls the attempt more than once, or waits
     * between calls, must say so. The worker checks the result against the broker's
     * {@code consumer_timeout} at start, since the broker gives one delivery that long in all.
     * Default: {@code attempt} (the attempt is called once, with no wait).
     */
    default Duration longestRun(String taskType, Duration attempt) {
        return attempt;
    }
}
