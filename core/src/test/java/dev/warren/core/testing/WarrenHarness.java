package dev.warren.core.testing;

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
import dev.warren.core.publish.TaskPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Warren worker and publisher wired the way an app wires them (CoreModule, WorkerModule and the
 * given modules), for integration tests of every module. Closing stops the worker (if started)
 * and closes its connections.
 */
public final class WarrenHarness implements AutoCloseable {

    private final Injector injector;
    private boolean started;

    /** A worker for {@code settings}; its connections are named {@code warren-test-<name>}. */
    public WarrenHarness(String amqpUri, WorkerSettings settings, String name, Module... tasks) {
        this(amqpUri, settings, RouteTable.allTo(settings.queue()), name, tasks);
    }

    /** A worker for {@code settings} whose publisher uses {@code routes} (quorum queues, other routes). */
    public WarrenHarness(String amqpUri, WorkerSettings settings, RouteTable routes, String name, Module... tasks) {
        AmqpSettings amqp = AmqpSettings.of(amqpUri).withConnectionName("warren-test-" + name)
                .withStartupTimeout(Duration.ofSeconds(60));
        List<Module> modules = new ArrayList<>(List.of(new CoreModule(amqp, routes), new WorkerModule(settings)));
        modules.addAll(List.of(tasks));
        injector = Guice.createInjector(modules);
    }

    /** A worker with default settings for {@code queue}. */
    public WarrenHarness(String amqpUri, String queue, Module... tasks) {
        this(amqpUri, WorkerSettings.of(queue), "w", tasks);
    }

    public WarrenHarness start() throws Exception {
        worker().start();
        started = true;
        return this;
    }

    public Worker worker() {
        return injector.getInstance(Worker.class);
    }

    public TaskPublisher publisher() {
        return injector.getInstance(TaskPublisher.class);
    }

    public AmqpConnections connections() {
        return injector.getInstance(AmqpConnections.class);
    }

    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    @Override
    public void close() {
        if (started) {
            worker().stop();
        }
        connections().close();
    }
}
