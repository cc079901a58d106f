package dev.warren.retry;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;

/**
 * Per-type retry settings, given where the type is registered:
 *
 * <pre>{@code
 * protected void configureTasks() {
 *     bindTask("charge_card", Charge.class, ChargeHandler.class);
 *     RetryOverrides.forType(binder(), "charge_card",
 *             RetrySettings.custom().maxAttempts(3).delays("30s,5m").build());
 * }
 * }</pre>
 *
 * The worker declares a retry queue for every delay of every override. A type overridden twice
 * fails when the injector is created.
 */
public final class RetryOverrides {

    private RetryOverrides() {
    }

    /** Uses {@code settings} instead of the defaults for {@code taskType}. */
    public static void forType(Binder binder, String taskType, RetrySettings settings) {
        overrides(binder).addBinding(taskType).toInstance(settings);
    }

    static MapBinder<String, RetrySettings> overrides(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, RetrySettings.class);
    }
}
