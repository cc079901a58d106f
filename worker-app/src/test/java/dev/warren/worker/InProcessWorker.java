package dev.warren.worker;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import dev.warren.cli.ExitCodes;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.Worker;
import dev.warren.events.EventPublisher;
import dev.warren.metrics.MetricsLifecycle;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A worker-app worker running in the test JVM: the flags go through picocli as on the command
 * line, and the injector is built from {@link WorkerCommand#modules}, so it runs exactly the
 * app's modules and task modules (the demo's with {@code --demo}). With {@code --metrics-port} it serves {@code /metrics} and
 * {@code /health} as the app does. {@link #close()} stops it gracefully and closes its connections.
 */
final class InProcessWorker implements AutoCloseable {

    private final Worker worker;
    private final AmqpConnections connections;
    private final MetricsLifecycle metrics;
    private final TaskModuleLoader taskModules;
    private final Optional<EventPublisher> events;

    private InProcessWorker(Injector injector, TaskModuleLoader taskModules) {
        this.taskModules = taskModules;
        // Bound only with --events, as WorkerCommand starts it only then.
        this.events = Optional.ofNullable(injector.getExistingBinding(Key.get(EventPublisher.class)))
                .map(binding -> binding.getProvider().get());
        this.worker = injector.getInstance(Worker.class);
        this.connections = injector.getInstance(AmqpConnections.class);
        this.metrics = injector.getInstance(MetricsLifecycle.class);
    }

    /** Starts a worker consuming {@code queue} with worker-app's flags {@code args} (plus {@code --uri} and {@code --queue}). */
    static InProcessWorker start(String uri, String queue, String... args) throws IOException {
        var command = new WorkerCommand();
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--uri", uri, "--queue", queue}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        ExitCodes.commandLine(command).parseArgs(all);
        AmqpSettings amqp = command.connection.toSettings("warren-test-worker@" + queue);
        WorkerSettings settings = command.settings();
        TaskModuleLoader taskModules = command.taskModuleLoader();
        InProcessWorker started;
        try {
            started = new InProcessWorker(Guice.createInjector(command.modules(amqp, settings, taskModules)), taskModules);
        } catch (RuntimeException e) {
            taskModules.close();
            throw e;
        }
        try {
            started.metrics.start();
            started.events.ifPresent(EventPublisher::start);
            started.worker.start();
            command.declareDelayedTasks(started.connections);
        } catch (IOException | RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    Worker worker() {
        return worker;
    }

    /** Where {@code /metrics} and {@code /health} listen; empty without {@code --metrics-port}. */
    Optional<InetSocketAddress> metricsAddress() {
        return metrics.address();
    }

    @Override
    public void close() {
        try {
            worker.stop();
        } finally {
            events.ifPresent(EventPublisher::close);
            metrics.close();
            connections.close();
            taskModules.close();
        }
    }
}
