package dev.warren.core.consume;

import com.rabbitmq.client.Connection;
import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.QueueDeclaration;
import dev.warren.core.spi.QueueDeclarations;
import dev.warren.core.task.TaskDefinition;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a work queue with {@code concurrency} consumers, each on its own channel and thread
 * with {@code basic.qos(prefetch)}, and runs every delivery through the {@link TaskDispatcher}.
 *
 * <p>Lifecycle: {@link #start()} declares the queues and subscribes; {@link #stop()} cancels the
 * consumers, lets in-flight tasks finish and acknowledge within the shutdown timeout, then closes
 * the channels (anything still unacknowledged goes back to the queue). Thread-safe.
 */
@Singleton
public final class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final WorkerSettings settings;
    private final AmqpConnections connections;
    private final TaskDispatcher dispatcher;
    private final Set<QueueDeclaration> declarations;
    private final Set<QueueDeclarations> contributors;
    private final InFlight inFlight;
    private final PutBack putBack;
    private final OversizedBodies oversized;
    private final List<QueueConsumer> consumers = new ArrayList<>();
    // A copy of "consumers" for the health path, which must not wait for the lock: start() holds
    // it while the broker is retried (up to the startup timeout), stop() while tasks drain.
    private volatile List<QueueConsumer> registered = List.of();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("warren-watchdog").factory());
    private final ExecutorService deliveryThreads;
    // Guarded by "this".
    private boolean started;
    private boolean stopped;
    private QueueTopology topology;

    @Inject
    Worker(WorkerSettings settings, AmqpConnections connections, TaskDispatcher dispatcher,
           TaskPublisher publisher, Set<QueueDeclaration> declarations, Set<QueueDeclarations> contributors,
           OversizedBodies oversized) {
        this.settings = settings;
        this.oversized = oversized;
        this.putBack = new PutBack(publisher, oversized, dispatcher.listeners(), dispatcher.clock());
        this.connections = connections;
        this.dispatcher = dispatcher;
        this.inFlight = dispatcher.inFlight();
        this.declarations = declarations;
        this.contributors = contributors;
        // Not a fixed pool: when the broker closes a channel whose task is still running (consumer
        // timeout), the replacement channel needs a thread of its own while the old one finishes.
        this.deliveryThreads = Executors.newCachedThreadPool(Thread.ofPlatform().name("warren-consumer-", 1).factory());
    }

    /**
     * Checks the task types' time limits, declares the work queue and its companions, and starts
     * the consumers. Blocks while the broker is unreachable, up to the startup timeout.
     *
     * @throws InvalidSettingException    when a time limit is not below the broker's consumer timeout
     * @throws TopologyMismatchException when a queue exists with other arguments
     */
    public synchronized void start() throws IOException {
        if (started) {
            throw new IllegalStateException("worker already started");
        }
        checkTimeLimits();
        Connection connection = connections.consuming(deliveryThreads, oversized, Map.of(
                AmqpConnections.TASK_TYPES_PROPERTY, String.join(",", new TreeSet<>(dispatcher.tasks().keySet()))));
        // Open the publishing connection now too: dead-lettering and results need it, and a
        // broker problem should show at start, not at the first failed task.
        connections.publishing();
        topology = new QueueTopology(connection, topology());
        topology.declare();
        for (int i = 1; i <= settings.concurrency(); i++) {
            QueueConsumer consumer = new QueueConsumer(i, settings.queue(), settings.prefetch(), connection, topology,
                    dispatcher, inFlight, putBack, watchdog);
            consumer.start();
            consumers.add(consumer);
            registered = List.copyOf(consumers);
        }
        started = true;
        log.info("consuming '{}' with {} consumer(s), prefetch {}; task types: {}", settings.queue(),
                settings.concurrency(), settings.prefetch(), String.join(", ", new TreeSet<>(dispatcher.tasks().keySet())));
    }

    /** The queues this worker declares: the work queue first, then companions such as {@code <queue>.dlq}. */
    public List<QueueDeclaration> topology() {
        // One declaration per queue name. Modules may re-declare a queue core declares plain (the work
        // queue, <queue>.dlq) with arguments, e.g. as a quorum queue; the declaration with arguments wins.
        java.util.Map<String, QueueDeclaration> byName = new java.util.TreeMap<>();
        byName.put(settings.queue(), QueueDeclaration.plain(settings.queue()));
        List<QueueDeclaration> all = new ArrayList<>(declarations);
        contributors.forEach(contributor -> all.addAll(contributor.declarations()));
        for (QueueDeclaration declaration : all) {
            QueueDeclaration known = byName.get(declaration.name());
            if (known == null || known.arguments().isEmpty()) {
                byName.put(declaration.name(), declaration);
            } else if (!declaration.arguments().isEmpty() && !known.equals(declaration)) {
                throw new IllegalStateException("queue '" + declaration.name() + "' is declared twice with different"
                        + " arguments: " + known.arguments() + " and " + declaration.arguments());
            }
        }
        List<QueueDeclaration> result = new ArrayList<>();
        result.add(byName.remove(settings.queue()));
        result.addAll(byName.values());
        return result;
    }

    /**
     * Stops gracefully: no new deliveries, running tasks finish and are acknowledged within the
     * shutdown timeout, prefetched tasks that have not started are put back on the queue
     * unchanged (not redelivered, so they lose no attempt), channels close. Idempotent. Returns
     * how many tasks were still running when the timeout ran out (they are redelivered by the broker).
     */
    public synchronized int stop() {
        if (stopped || !started) {
            stopped = true;
            shutdownThreads();
            return 0;
        }
        stopped = true;
        consumers.forEach(QueueConsumer::cancel);
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        int left;
        try {
            for (QueueConsumer consumer : consumers) {
                consumer.awaitCancelled(Duration.ofNanos(deadline - System.nanoTime()));
            }
            left = inFlight.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            left = inFlight.count();
        }
        if (left > 0) {
            log.warn("{} task(s) still running after the shutdown timeout of {}; the broker will redeliver them",
                    left, Durations.format(settings.shutdownTimeout()));
        }
        if (putBack.returned() > 0 || putBack.left() > 0) {
            log.info("put {} prefetched task(s) back on '{}' unstarted{}", putBack.returned(), settings.queue(),
                    putBack.left() == 0 ? "" : "; " + putBack.left() + " more are requeued by the broker as redeliveries");
        }
        consumers.forEach(QueueConsumer::close);
        topology.close();
        shutdownThreads();
        oversized.close();
        log.info("worker stopped: {}", dispatcher.stats().summary());
        return left;
    }

    private void shutdownThreads() {
        watchdog.shutdownNow();
        dispatcher.shutdown();
        deliveryThreads.shutdown();
        try {
            deliveryThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Consumers currently registered with the broker. Never blocks, also while starting or stopping. */
    public int consumersRegistered() {
        return (int) registered.stream().filter(QueueConsumer::isConsuming).count();
    }

    /** True while connections are open and every consumer is registered. Never blocks. */
    public boolean isHealthy() {
        return consumersRegistered() == settings.concurrency() && connections.isOpen();
    }

    /**
     * Tasks running right now: deliveries being handled, plus overdue runs (past their time limit,
     * their attempt already failed, but their handler ignored the interruption and still runs).
     */
    public int tasksInFlight() {
        return inFlight.count();
    }

    /** Runs past their time limit whose handler ignored the interruption and has not returned yet. */
    public int overdueRuns() {
        return dispatcher.overdueRuns();
    }

    /** What this worker has processed. */
    public WorkerStats stats() {
        return dispatcher.stats();
    }

    /** The settings in use. */
    public WorkerSettings settings() {
        return settings;
    }

    /**
     * The broker gives one delivery its consumer_timeout in all, and an attempt's in-process
     * retries run within that one delivery: each run of the handler up to its time limit, plus the
     * waits between them, must end before the timeout.
     */
    private void checkTimeLimits() {
        Duration brokerTimeout = settings.brokerConsumerTimeout();
        for (TaskDefinition definition : dispatcher.tasks().values()) {
            Duration limit = definition.options().timeLimit();
            if (limit == null) {
                continue;
            }
            Duration longest = dispatcher.longestRun(definition);
            String runs = longest.equals(limit) ? "(" + Durations.format(limit) + ")"
                    : "(" + Durations.format(limit) + "), with the in-process retries of one delivery"
                    + " (--retry-in-process) up to " + readable(longest) + " in all,";
            if (brokerTimeout != null && longest.compareTo(brokerTimeout) >= 0) {
                throw new InvalidSettingException("time limit of task type '" + definition.type() + "' " + runs
                        + " must be below the broker's consumer_timeout (" + Durations.format(brokerTimeout)
                        + ") stated by --broker-consumer-timeout, or the broker closes the channel before the limit"
                        + " stops the task");
            }
            if (brokerTimeout == null && longest.compareTo(WorkerSettings.BROKER_DEFAULT_CONSUMER_TIMEOUT) >= 0) {
                log.warn("time limit of task type '{}' {} is not below RabbitMQ's default consumer_timeout (30m);"
                        + " unless the broker's timeout was raised, it closes the channel first."
                        + " State the broker's value with --broker-consumer-timeout to have this checked",
                        definition.type(), runs);
            }
        }
    }

    /** {@code 36m0.2s}, {@code 1.1s}: a sum of time limits and waits, where {@link Durations#format} would say {@code 2160200ms}. */
    private static String readable(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000 || millis % 1000 == 0) {
            return Durations.format(duration);
        }
        long minutes = millis / 60_000;
        String seconds = BigDecimal.valueOf(millis % 60_000, 3).stripTrailingZeros().toPlainString() + "s";
        return minutes == 0 ? seconds : minutes + "m" + seconds;
    }
}
