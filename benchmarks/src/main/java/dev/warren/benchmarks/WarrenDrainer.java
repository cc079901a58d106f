package dev.warren.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import dev.warren.core.CoreModule;
import dev.warren.core.WorkerModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.events.EventPublisher;
import dev.warren.events.EventsModule;
import dev.warren.events.EventsSettings;
import dev.warren.metrics.MetricsModule;
import dev.warren.metrics.MetricsSettings;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * The Warren side's consumer: a {@link Worker} wired as worker-app wires it (core, worker, the
 * retry ladder, and the metrics module without its HTTP endpoint) with a {@code noop} handler,
 * {@code concurrency} consumers and {@code prefetch} each.
 */
final class WarrenDrainer implements Drainer {

    private final Injector injector;
    private final EventPublisher events;

    WarrenDrainer(AmqpSettings amqp, String queue, int prefetch, int concurrency, boolean metrics) {
        this(amqp, queue, prefetch, concurrency, metrics, null);
    }

    /** With {@code events} not null, task events on, to that stream, as worker-app's {@code --events} does. */
    WarrenDrainer(AmqpSettings amqp, String queue, int prefetch, int concurrency, boolean metrics,
                  EventsSettings events) {
        List<Module> modules = new ArrayList<>(List.of(
                new CoreModule(amqp.withConnectionName("warren-bench-worker"), RouteTable.allTo(queue)),
                new WorkerModule(WorkerSettings.of(queue).withConcurrency(concurrency).withPrefetch(prefetch)),
                new RetryDlxModule(RetrySettings.DEFAULTS, WorkQueueType.classic()), new NoopTasks()));
        if (metrics) {
            modules.add(new MetricsModule(MetricsSettings.disabled()));
        }
        if (events != null) {
            modules.add(new EventsModule(events, "warren-bench-worker"));
        }
        this.injector = Guice.createInjector(modules);
        this.events = events == null ? null : injector.getInstance(EventPublisher.class);
    }

    @Override
    public void start() throws Exception {
        if (events != null) {
            events.start();
        }
        injector.getInstance(Worker.class).start();
    }

    /** Task events the broker confirmed so far; 0 with events off. */
    long eventsConfirmed() {
        return events == null ? 0 : events.confirmed();
    }

    /** Task events dropped so far; 0 with events off. */
    long eventsDropped() {
        return events == null ? 0 : events.drops().total();
    }

    @Override
    public long processed() {
        return injector.getInstance(Worker.class).stats().count(TaskOutcome.SUCCEEDED);
    }

    @Override
    public long cpuNanos() {
        return JvmProbe.processCpuNanos();
    }

    @Override
    public void close() {
        injector.getInstance(Worker.class).stop();
        if (events != null) {
            events.close();
        }
        injector.getInstance(AmqpConnections.class).close();
    }

    /** The {@code noop} task type, as worker-app bundles it. */
    static final class NoopTasks extends TaskModule {
        @Override
        protected void configureTasks() {
            bindTask(TaskBodies.TYPE, JsonNode.class, Noop.class);
        }
    }

    /** Does nothing: measures the framework. */
    @Singleton
    static final class Noop implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            return null;
        }
    }
}
