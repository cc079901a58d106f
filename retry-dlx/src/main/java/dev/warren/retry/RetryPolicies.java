package dev.warren.retry;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Stream;

/** The retry settings in effect per task type: an override registered for the type, else the defaults. */
@Singleton
public final class RetryPolicies {

    private final RetrySettings defaults;
    private final Map<String, RetrySettings> overrides;

    @Inject
    public RetryPolicies(RetrySettings defaults, Map<String, RetrySettings> overrides) {
        this.defaults = defaults;
        this.overrides = Map.copyOf(overrides);
    }

    /** The settings for {@code taskType}. */
    public RetrySettings forType(String taskType) {
        return overrides.getOrDefault(taskType, defaults);
    }

    /** The defaults and every override. */
    public Collection<RetrySettings> all() {
        return Stream.concat(Stream.of(defaults), overrides.values().stream()).toList();
    }
}
