package dev.warren.console;

import dev.warren.core.config.Durations;
import java.time.Duration;

/** A duration query parameter of the events pages ({@code window}, {@code since}), checked against its bounds. */
final class EventWindow {

    private EventWindow() {
    }

    /**
     * The parameter {@code name} of {@code request}, or {@code fallback} when absent.
     *
     * @throws IllegalArgumentException naming the parameter, the value and what is allowed
     */
    static Duration param(ConsoleRequest request, String name, Duration fallback, Duration min, Duration max) {
        String text = request.param(name).orElse(null);
        if (text == null) {
            return fallback;
        }
        Duration value;
        try {
            value = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be a duration such as 15m, 2h or 1d, was '" + text + "'");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be from " + Durations.format(min) + " to "
                    + Durations.format(max) + ", was '" + text + "'");
        }
        return value;
    }
}
