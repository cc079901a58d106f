package dev.warren.metrics;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.spi.QueueDeclaration;
import dev.warren.core.consume.Worker;
import dev.warren.core.consume.WorkerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's gauges: {@code warren_tasks_in_flight} and {@code warren_tasks_overdue}, read from the
 * worker on each scrape (with the counters {@code warren_tasks_abandoned_total} and
 * {@code warren_worker_errors_total}), and
 * {@code warren_queue_messages} / {@code warren_queue_consumers} for every queue the worker
 * declares (work queue, retry queues, DLQ), polled in the background with passive declares on a
 * channel of its own on the publishing connection. No management plugin is needed.
 *
 * <p>A queue that is missing or cannot be read (connection down) shows {@code NaN} until the next
 * poll that succeeds: a value that is unknown, not zero. A failed passive declare closes its
 * channel, so the next one opens a new channel; nothing stops the poller but {@link #close()}. In
 * an app without a worker (a producer) it does nothing.
 *
 * <p>Not the consuming connection: a channel left on it after {@code Worker.stop()} (which shuts
 * down that connection's delivery threads) breaks the connection's close. On the publishing
 * connection the one risk is a broker alarm: a blocked connection is not read from, so while the
 * broker blocks this process the poller does not ask and the depths read NaN. The channel closes
 * with the connection.
 */
@Singleton
final class WorkerGauges implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerGauges.class);

    /** One poll's answer for one queue. */
    private record Depth(long messages, long consumers) {
    }

    private final Optional<Worker> worker;
    private final AmqpConnections connections;
    private final MeterRegistry registry;
    private final MetricsSettings settings;
    private final ConnectionMetrics connectionState;
    private final Map<String, Depth> depths = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warren-metrics-poller").factory());
    // Only the poller thread (or a test calling poll()) touches these; poll() is synchronized.
    private List<String> queues = List.of();
    private Channel channel;

    @Inject
    WorkerGauges(Optional<Worker> worker, AmqpConnections connections, MeterRegistry registry, MetricsSettings settings,
                 ConnectionMetrics connectionState) {
        this.worker = worker;
        this.connections = connections;
        this.registry = registry;
        this.settings = settings;
        this.connectionState = connectionState;
    }

    /** Registers the gauges and starts polling every {@link MetricsSettings#queuePollInterval()}. */
    void start() {
        if (worker.isEmpty()) {
            return;
        }
        Worker w = worker.get();
        String workQueue = w.settings().queue();
        Gauge.builder(MetricNames.TASKS_IN_FLIGHT, w, Worker::tasksInFlight)
                .description("Task deliveries being handled right now")
                .tag(MetricNames.QUEUE, workQueue)
                .strongReference(true)
                .register(registry);
        Gauge.builder(MetricNames.TASKS_OVERDUE, w, Worker::overdueRuns)
                .description("Runs past their time limit whose handler ignored the interruption and still runs")
                .tag(MetricNames.QUEUE, workQueue)
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder(MetricNames.TASKS_ABANDONED, w.stats(), WorkerStats::abandoned)
                .description("Runs that ended after their delivery was lost with its channel or connection (redelivered)")
                .tag(MetricNames.QUEUE, workQueue)
                .register(registry);
        FunctionCounter.builder(MetricNames.WORKER_ERRORS, w.stats(), WorkerStats::errors)
                .description("Exceptions outside handlers: a task listener threw, or a failure could not be moved on")
                .tag(MetricNames.QUEUE, workQueue)
                .register(registry);
        List<String> names = w.topology().stream().map(QueueDeclaration::name).toList();
        synchronized (this) {
            queues = names;
        }
        for (String queue : names) {
            Gauge.builder(MetricNames.QUEUE_MESSAGES, depths, d -> value(d.get(queue), Depth::messages))
                    .description("Ready messages in the queue (NaN while it cannot be read)")
                    .tag(MetricNames.QUEUE, queue)
                    .strongReference(true)
                    .register(registry);
            Gauge.builder(MetricNames.QUEUE_CONSUMERS, depths, d -> value(d.get(queue), Depth::consumers))
                    .description("Consumers of the queue, across all workers (NaN while it cannot be read)")
                    .tag(MetricNames.QUEUE, queue)
                    .strongReference(true)
                    .register(registry);
        }
        long every = settings.queuePollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Reads every queue once; a queue that cannot be read becomes NaN. */
    synchronized void poll() {
        Optional<Connection> connection = connections.publishingIfOpened().filter(Connection::isOpen);
        if (connection.isEmpty() || connectionState.anyBlocked()) {
            // Not connected yet, recovering, or blocked by a broker alarm: the depths are unknown.
            depths.clear();
            return;
        }
        for (String queue : queues) {
            try {
                if (channel == null || !channel.isOpen()) {
                    channel = connection.get().createChannel();
                }
                AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
                if (depths.put(queue, new Depth(ok.getMessageCount(), ok.getConsumerCount())) == null) {
                    log.debug("polling depth of queue '{}'", queue);
                }
            } catch (IOException | RuntimeException e) {
                // A passive declare of a missing queue fails with 404 and the broker closes the
                // channel; the next queue gets a new one. A connection that is down fails them all.
                discardClosedChannel();
                if (depths.remove(queue) != null) {
                    log.info("depth of queue '{}' unknown until it can be read again: {}", queue,
                            AmqpConnections.describe(e));
                }
            }
        }
    }

    /**
     * Forgets a channel the broker closed. Aborting an already closed channel returns at once and
     * makes the recovering connection forget it too, so a queue missing for days leaks nothing.
     */
    private void discardClosedChannel() {
        if (channel != null && !channel.isOpen()) {
            try {
                channel.abort();
            } catch (IOException | RuntimeException e) {
                log.debug("aborting a closed channel failed", e);
            }
            channel = null;
        }
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: log it and poll again next time.
            log.warn("polling queue depths failed", e);
        }
    }

    private static double value(Depth depth, java.util.function.ToLongFunction<Depth> field) {
        return depth == null ? Double.NaN : field.applyAsLong(depth);
    }

    /** Stops polling, waiting up to 5 s for a poll in progress. Its channel closes with the connection. */
    @Override
    public void close() {
        poller.shutdown();
        try {
            if (!poller.awaitTermination(5, TimeUnit.SECONDS)) {
                log.debug("a queue poll is still waiting for the broker; closing the connection ends it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
