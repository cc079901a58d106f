package dev.warren.metrics;

import dev.warren.core.spi.ConnectionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the health of this process's broker connections: {@code warren_connection_recoveries_total}
 * (every automatic recovery begun, that is every connection lost) and
 * {@code warren_connection_blocked} (1 while the broker blocks any of them). Thread-safe.
 */
@Singleton
final class ConnectionMetrics implements ConnectionListener {

    private final Counter recoveries;
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();

    @Inject
    ConnectionMetrics(MeterRegistry registry) {
        this.recoveries = Counter.builder(MetricNames.CONNECTION_RECOVERIES)
                .description("Automatic connection recoveries begun (connections lost)")
                .register(registry);
        Gauge.builder(MetricNames.CONNECTION_BLOCKED, blocked, names -> names.isEmpty() ? 0 : 1)
                .description("1 while the broker blocks a connection of this process (memory or disk alarm), else 0")
                .strongReference(true)
                .register(registry);
    }

    /** Whether the broker blocks any connection of this process right now. */
    boolean anyBlocked() {
        return !blocked.isEmpty();
    }

    @Override
    public void recoveryStarted(String connectionName) {
        recoveries.increment();
    }

    @Override
    public void recovered(String connectionName) {
        // A recovered connection is a new one on the broker's side, and not blocked.
        blocked.remove(connectionName);
    }

    @Override
    public void blocked(String connectionName, String reason) {
        blocked.add(connectionName);
    }

    @Override
    public void unblocked(String connectionName) {
        blocked.remove(connectionName);
    }
}
