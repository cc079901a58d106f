package dev.warren.core.spi;

import java.util.Optional;

/**
 * One condition an app must meet to be healthy, such as "broker connections are open" or "every
 * consumer is registered". The metrics module's {@code /health} endpoint answers 200 while no
 * check reports a problem and 503 with the problems otherwise. Core binds a check for the
 * connections ({@code CoreModule}) and one for the consumers ({@code WorkerModule}); add more with
 * a Guice {@code Multibinder<HealthCheck>}.
 *
 * <p>Called from the endpoint's threads, concurrently with everything else: must be fast (no
 * broker round trip), must not block and must not throw.
 */
@FunctionalInterface
public interface HealthCheck {

    /** Empty while healthy; otherwise one line saying what is wrong, e.g. "0 of 4 consumers registered on 'q'". */
    Optional<String> problem();
}
