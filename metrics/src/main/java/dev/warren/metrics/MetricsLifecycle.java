package dev.warren.metrics;

import dev.warren.core.config.InvalidSettingException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops what the metrics module runs: the HTTP endpoint ({@code /metrics},
 * {@code /health}), the worker's queue-depth poller and the JVM and process metrics. Nothing
 * runs before {@link #start()}; with the endpoint off ({@link MetricsSettings#disabled()}) start
 * does nothing, and metrics are only kept in memory.
 *
 * <p>An app calls {@link #start()} once its injector is built (before starting the worker, so
 * {@code /health} answers 503 during startup) and {@link #close()} on shutdown, after stopping the
 * worker and before closing the connections. Thread-safe; both are idempotent.
 */
@Singleton
public final class MetricsLifecycle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsLifecycle.class);

    private final MetricsSettings settings;
    private final MetricsEndpoint endpoint;
    private final WorkerGauges workerGauges;
    private final MeterRegistry registry;
    // Guarded by "this".
    private InetSocketAddress address;
    private JvmGcMetrics gcMetrics;
    private boolean closed;

    @Inject
    MetricsLifecycle(MetricsSettings settings, MetricsEndpoint endpoint, WorkerGauges workerGauges, MeterRegistry registry) {
        this.settings = settings;
        this.endpoint = endpoint;
        this.workerGauges = workerGauges;
        this.registry = registry;
    }

    /**
     * Binds the JVM metrics, starts polling queue depths and listens for HTTP.
     *
     * @throws InvalidSettingException when the endpoint cannot listen on its address and port
     */
    public synchronized void start() {
        if (!settings.endpointEnabled() || address != null || closed) {
            return;
        }
        bindJvmMetrics();
        try {
            address = endpoint.start();
        } catch (IOException | RuntimeException e) {
            close();
            throw new InvalidSettingException("metrics endpoint cannot listen on " + settings.bindAddress() + ":"
                    + settings.port() + " (" + e.getMessage() + "); choose another --metrics-port or --metrics-bind");
        }
        workerGauges.start();
        log.info("metrics on http://{}:{}/metrics, health on /health", address.getHostString(), address.getPort());
    }

    /** Where the endpoint listens, once started; the port is the real one when 0 was asked for. */
    public synchronized Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    private void bindJvmMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Stops the endpoint and the poller. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        endpoint.close();
        workerGauges.close();
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        address = null;
    }
}
