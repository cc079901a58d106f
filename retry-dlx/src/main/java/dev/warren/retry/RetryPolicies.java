package dev.warren.retry;

import dev.warren.core.task.TaskDefinition;
import dev.warren.core.task.TaskOptions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The retry settings in effect per task type: the worker's defaults, with what the type set at
 * registration ({@link TaskOptions}: max attempts, retry delays, non-retryable exceptions) in
 * their place. A type's non-retryable exceptions add to the defaults' ones. Thread-safe.
 */
@Singleton
public final class RetryPolicies {

    private final RetrySettings defaults;
    private final Map<String, RetrySettings> perType;

    @Inject
    public RetryPolicies(RetrySettings defaults, Map<String, TaskDefinition> tasks) {
        this(perType(defaults, optionsOf(tasks)), defaults);
    }

    private RetryPolicies(Map<String, RetrySettings> perType, RetrySettings defaults) {
        this.defaults = defaults;
        this.perType = Map.copyOf(perType);
    }

    /** Policies for task types with these options; for tests and tools that have no injector. */
    static RetryPolicies of(RetrySettings defaults, Map<String, TaskOptions> options) {
        return new RetryPolicies(perType(defaults, options), defaults);
    }

    /** The settings for {@code taskType}. */
    public RetrySettings forType(String taskType) {
        return perType.getOrDefault(taskType, defaults);
    }

    /** The defaults and the settings of every type that changes them. */
    public Collection<RetrySettings> all() {
        return Stream.concat(Stream.of(defaults), perType.values().stream()).toList();
    }

    private static Map<String, TaskOptions> optionsOf(Map<String, TaskDefinition> tasks) {
        Map<String, TaskOptions> options = new HashMap<>();
        tasks.forEach((type, definition) -> options.put(type, definition.options()));
        return options;
    }

    private static Map<String, RetrySettings> perType(RetrySettings defaults, Map<String, TaskOptions> options) {
        Map<String, RetrySettings> settings = new HashMap<>();
        options.forEach((type, taskOptions) -> {
            if (changesRetries(taskOptions)) {
                settings.put(type, merge(defaults, taskOptions));
            }
        });
        return settings;
    }

    private static boolean changesRetries(TaskOptions options) {
        return options.maxAttempts() != null || !options.retryDelays().isEmpty() || !options.nonRetryable().isEmpty();
    }

    private static RetrySettings merge(RetrySettings defaults, TaskOptions options) {
        RetrySettings.Builder builder = defaults.toBuilder();
        if (options.maxAttempts() != null) {
            builder.maxAttempts(options.maxAttempts());
        }
        if (!options.retryDelays().isEmpty()) {
            builder.ladder(new RetryLadder(options.retryDelays()));
        }
        for (Class<? extends Throwable> type : options.nonRetryable()) {
            builder.nonRetryable(type);
        }
        return builder.build();
    }
}
