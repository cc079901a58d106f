package dev.warren.worker;

import dev.warren.core.config.InvalidSettingException;
import dev.warren.retry.RetryLadder;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The worker's retry and queue-type flags, each with an environment-variable default. */
final class RetryOptions {

    @Option(names = "--retry-max-attempts", paramLabel = "N", defaultValue = "${env:WARREN_RETRY_MAX_ATTEMPTS:-5}",
            description = "Attempts per task, counting the first; then it goes to <queue>.dlq"
                    + " (env WARREN_RETRY_MAX_ATTEMPTS; default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--retry-delays", paramLabel = "D1,D2,...", defaultValue = "${env:WARREN_RETRY_DELAYS:-1s,10s,1m,5m}",
            description = "Broker-side delay after each failed attempt; later attempts reuse the last"
                    + " (env WARREN_RETRY_DELAYS; default ${DEFAULT-VALUE}).")
    String delays;

    @Option(names = "--retry-in-process", paramLabel = "N", defaultValue = "${env:WARREN_RETRY_IN_PROCESS:-0}",
            description = "Immediate retries inside an attempt (100 ms apart) before it counts as failed"
                    + " (env WARREN_RETRY_IN_PROCESS; default ${DEFAULT-VALUE}).")
    int inProcess;

    @Option(names = "--retry-non-retryable", paramLabel = "CLASS,...", split = ",",
            defaultValue = "${env:WARREN_RETRY_NON_RETRYABLE}",
            description = "Exception classes (fully qualified, on the class path or in a --tasks jar) that go straight to <queue>.dlq, besides the permanent"
                    + " failures Warren always parks (env WARREN_RETRY_NON_RETRYABLE).")
    java.util.List<String> nonRetryable;

    @Option(names = "--queue-type", paramLabel = "classic|quorum", defaultValue = "${env:WARREN_QUEUE_TYPE:-classic}",
            description = "classic: durable, no arguments (what pika's durable=True declares); quorum: replicated,"
                    + " with x-delivery-limit (env WARREN_QUEUE_TYPE; default ${DEFAULT-VALUE}).")
    String queueType;

    @Option(names = "--delivery-limit", paramLabel = "N", defaultValue = "${env:WARREN_DELIVERY_LIMIT}",
            description = "With --queue-type quorum: deliveries without acknowledgement before the broker dead-letters"
                    + " a task (env WARREN_DELIVERY_LIMIT; default: --retry-max-attempts).")
    Integer deliveryLimit;

    /**
     * The retry settings these flags describe; {@code --retry-non-retryable} classes are looked up
     * with {@code classes}, the loader that also sees the {@code --tasks} jars.
     *
     * @throws InvalidSettingException when a named class is missing or is not an exception
     */
    RetrySettings settings(ClassLoader classes) {
        RetrySettings.Builder builder = RetrySettings.custom().maxAttempts(maxAttempts).ladder(RetryLadder.parse(delays))
                .inProcess(inProcess, Duration.ofMillis(100));
        for (String name : nonRetryable == null ? java.util.List.<String>of() : nonRetryable) {
            if (!name.isBlank()) {
                builder.nonRetryable(exceptionClass(name.trim(), classes));
            }
        }
        return builder.build();
    }

    private static Class<? extends Throwable> exceptionClass(String name, ClassLoader classes) {
        try {
            Class<?> type = Class.forName(name, false, classes);
            if (!Throwable.class.isAssignableFrom(type)) {
                throw new InvalidSettingException("--retry-non-retryable: " + name + " is not an exception class");
            }
            return type.asSubclass(Throwable.class);
        } catch (ClassNotFoundException e) {
            throw new InvalidSettingException("--retry-non-retryable: no class " + name + " on the worker's class path"
                    + " nor in the --tasks jars");
        }
    }

    WorkQueueType queueType() {
        return WorkQueueType.parse(queueType, deliveryLimit != null ? deliveryLimit : maxAttempts);
    }
}
