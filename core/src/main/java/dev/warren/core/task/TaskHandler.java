package dev.warren.core.task;

/**
 * Runs one task type. Register it in a {@link TaskModule} with its {@link TaskType}:
 * {@code bindTask(WELCOME_EMAIL, WelcomeEmailHandler.class)}, or as a lambda,
 * {@code bindTask(WELCOME_EMAIL, (email, context) -> ...)}.
 *
 * <p>Delivery is at least once: the same task (same {@link TaskContext#messageId()}) can arrive
 * again after a crash or a lost connection, so a handler should be idempotent. A handler may be
 * called from several threads at once (one per consumer).
 *
 * <p>Guice creates the handler: without a scope, a new instance (with its dependencies) for every
 * task. Annotate a stateless handler {@code @Singleton} so one instance serves all tasks; on a
 * no-op task that saves about a twentieth of the worker's CPU.
 *
 * @param <P> the payload record, bound from the task's JSON body with snake_case names
 * @param <R> what the handler returns, sent as the result when the task has {@code reply_to};
 *            {@link Void} (return {@code null}) when there is nothing to return
 */
@FunctionalInterface
public interface TaskHandler<P, R> {

    /**
     * Runs the task. Returning acknowledges it. Throwing a {@link PermanentTaskFailure} sends it
     * straight to the dead-letter queue; any other exception is a retryable failure. A handler
     * interrupted by its time limit should let {@link InterruptedException} propagate.
     */
    R handle(P payload, TaskContext context) throws Exception;
}
