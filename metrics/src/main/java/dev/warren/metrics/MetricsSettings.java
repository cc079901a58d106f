package dev.warren.metrics;

import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;

/**
 * Settings of the metrics endpoint. Immutable; validated on construction.
 *
 * @param port                the HTTP port of {@code /metrics} and {@code /health}; {@code null} turns
 *                            the endpoint (and queue polling) off, 0 picks a free port
 * @param bindAddress         the address to listen on; default {@value #DEFAULT_BIND_ADDRESS} (only this
 *                            machine); {@code 0.0.0.0} for every interface, as a container needs
 * @param queuePollInterval   how often queue depths are polled; default 5 s
 */
public record MetricsSettings(Integer port, String bindAddress, Duration queuePollInterval) {

    /** Listen on loopback only unless told otherwise: metrics name queues and task types. */
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final Duration DEFAULT_QUEUE_POLL_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MIN_QUEUE_POLL_INTERVAL = Duration.ofMillis(100);

    public MetricsSettings {
        if (port != null && (port < 0 || port > 65_535)) {
            throw new InvalidSettingException("metrics port must be between 0 and 65535 (0: any free port), was " + port);
        }
        bindAddress = bindAddress == null || bindAddress.isBlank() ? DEFAULT_BIND_ADDRESS : bindAddress.strip();
        queuePollInterval = queuePollInterval == null ? DEFAULT_QUEUE_POLL_INTERVAL : queuePollInterval;
        if (queuePollInterval.compareTo(MIN_QUEUE_POLL_INTERVAL) < 0) {
            throw new InvalidSettingException("metrics queue poll interval must be >= 100ms, was "
                    + Durations.format(queuePollInterval));
        }
    }

    /** Metrics recorded in process, no endpoint. */
    public static MetricsSettings disabled() {
        return new MetricsSettings(null, null, null);
    }

    /** The endpoint on {@code port} (0: any free port) of {@value #DEFAULT_BIND_ADDRESS}. */
    public static MetricsSettings onPort(int port) {
        return new MetricsSettings(port, null, null);
    }

    public MetricsSettings withBindAddress(String address) {
        return new MetricsSettings(port, address, queuePollInterval);
    }

    public MetricsSettings withQueuePollInterval(Duration interval) {
        return new MetricsSettings(port, bindAddress, interval);
    }

    /** Whether the HTTP endpoint runs. */
    public boolean endpointEnabled() {
        return port != null;
    }
}
