package dev.warren.cli;

import dev.warren.metrics.MetricsModule;
import dev.warren.metrics.MetricsSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Flags of the metrics endpoint ({@code /metrics}, {@code /health}), each with an
 * environment-variable default. The endpoint is off unless a port is given.
 */
public final class MetricsOptions {

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "${env:WARREN_METRICS_PORT}",
            description = "Serve Prometheus metrics on /metrics and a health check on /health on this port; 0 picks a"
                    + " free port (env WARREN_METRICS_PORT; default: no endpoint).")
    Integer port;

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS",
            defaultValue = "${env:WARREN_METRICS_BIND:-" + MetricsSettings.DEFAULT_BIND_ADDRESS + "}",
            description = "Address the metrics endpoint listens on; 0.0.0.0 for all interfaces, as in a container"
                    + " (env WARREN_METRICS_BIND; default ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(names = "--metrics-queue-poll", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_METRICS_QUEUE_POLL:-5s}",
            description = "How often a worker reads the depth of its queues for warren_queue_messages"
                    + " (env WARREN_METRICS_QUEUE_POLL; default ${DEFAULT-VALUE}).")
    Duration queuePollInterval;

    /** The settings these flags and the environment describe. */
    public MetricsSettings toSettings() {
        return new MetricsSettings(port, bindAddress, queuePollInterval);
    }

    /** The metrics module with these settings. */
    public MetricsModule module() {
        return new MetricsModule(toSettings());
    }
}
