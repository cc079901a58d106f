package dev.warren.retry;

import dev.warren.core.task.TaskTimeLimitExceeded;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Immediate retries inside one attempt, with resilience4j, for task types whose settings ask for
 * them ({@link RetrySettings#inProcessRetries()}). Only retryable exceptions are retried; a
 * permanent failure, a time-limit overrun or an interrupt ends the attempt at once.
 */
@Singleton
final class InProcessRetry implements TaskInterceptor {

    private final RetryPolicies policies;
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();

    @Inject
    InProcessRetry(RetryPolicies policies) {
        this.policies = policies;
    }

    @Override
    public Object intercept(TaskContext context, Callable<Object> attempt) throws Exception {
        RetrySettings settings = policies.forType(context.taskType());
        if (settings.inProcessRetries() == 0) {
            return attempt.call();
        }
        Retry retry = retries.computeIfAbsent(context.taskType(), type -> Retry.of("warren-" + type,
                RetryConfig.custom()
                        .maxAttempts(settings.inProcessRetries() + 1)
                        .waitDuration(settings.inProcessBackoff())
                        .retryOnException(e -> !(e instanceof PermanentTaskFailure)
                                && !(e instanceof TaskTimeLimitExceeded)
                                && !(e instanceof InterruptedException)
                                && settings.isRetryable(e))
                        .build()));
        return Retry.decorateCallable(retry, attempt).call();
    }

    /** Every run of the attempt, and the wait after each but the last, within one delivery. */
    @Override
    public Duration longestRun(String taskType, Duration attempt) {
        RetrySettings settings = policies.forType(taskType);
        int retries = settings.inProcessRetries();
        return attempt.multipliedBy(retries + 1L).plus(settings.inProcessBackoff().multipliedBy(retries));
    }
}
