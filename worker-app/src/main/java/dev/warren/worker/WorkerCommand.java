package dev.warren.worker;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.rabbitmq.client.Channel;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.QueueOption;
import dev.warren.cli.DurationConverter;
import dev.warren.cli.EventsOptions;
import dev.warren.cli.MetricsOptions;
import dev.warren.core.CoreModule;
import dev.warren.core.WorkerModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.DelayLevels;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.schedule.Scheduler;
import dev.warren.core.task.TaskModule;
import dev.warren.events.EventPublisher;
import dev.warren.metrics.MetricsLifecycle;
import dev.warren.retry.RetryDlxModule;
import dev.warren.worker.demo.DemoSettings;
import dev.warren.worker.demo.DemoTasks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code worker} command: consume a work queue and run the registered task types until SIGTERM/SIGINT. */
@Command(name = "worker-app", mixinStandardHelpOptions = true, version = "Warren worker 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Consumes a RabbitMQ work queue and runs each task with the handler registered for its task_type.",
            "Task types come from TaskModules named in META-INF/services/dev.warren.core.task.TaskModule files, on the"
                    + " class path or in the jars of --tasks; --demo adds the demo types send_welcome_email, noop, echo,"
                    + " sleep, fail and crash.",
            "A failed task is retried through <queue>.retry.<delay> queues and ends in <queue>.dlq after its attempts.",
            "Stops gracefully on SIGTERM/SIGINT: no new tasks, in-flight ones finish and are acknowledged; while it"
                    + " still waits for the broker at start, it stops retrying and exits 0.",
            "Exit codes: 0 stopped, 2 bad settings (a missing --tasks path, a task module that cannot be loaded,"
                    + " created or configured, a task module class listed by two --tasks jars, a task type registered"
                    + " twice, no task type at all, --scheduler without a schedule), 3 broker unreachable or access"
                    + " refused, 4 queue exists with other arguments (with --scheduler also the lease queue"
                    + " warren.scheduler.<group>)."})
public final class WorkerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    @Mixin
    ConnectionOptions connection;

    @Mixin
    RetryOptions retry;

    @Mixin
    MetricsOptions metrics;

    @Mixin
    QueueOption queue;

    @Mixin
    SchedulerOptions scheduler;

    @Mixin
    EventsOptions events;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "${env:WARREN_CONCURRENCY:-1}",
            description = "Consumers, each on its own channel and thread (env WARREN_CONCURRENCY; default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "${env:WARREN_PREFETCH:-1}",
            description = "Unacknowledged tasks per consumer (basic.qos); 1 gives fair dispatch, higher gives throughput"
                    + " (env WARREN_PREFETCH; default ${DEFAULT-VALUE}).")
    int prefetch;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_SHUTDOWN_TIMEOUT:-30s}",
            description = "How long a graceful stop waits for in-flight tasks (env WARREN_SHUTDOWN_TIMEOUT; default ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Option(names = "--broker-consumer-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_BROKER_CONSUMER_TIMEOUT}",
            description = "The broker's consumer_timeout, if changed from RabbitMQ's 30m; task time limits must stay"
                    + " below it (env WARREN_BROKER_CONSUMER_TIMEOUT).")
    Duration brokerConsumerTimeout;

    @Option(names = "--max-message-bytes", paramLabel = "BYTES",
            defaultValue = "${env:WARREN_MAX_MESSAGE_BYTES:-1048576}",
            description = "Largest task body; a bigger one goes to <queue>.dlq unread, through a file in"
                    + " java.io.tmpdir rather than memory (env WARREN_MAX_MESSAGE_BYTES; default ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "${env:WARREN_WORKER_NAME}",
            description = "Name of this worker in logs and connection names (env WARREN_WORKER_NAME; default host-pid).")
    String name;

    @Option(names = "--tasks", paramLabel = "PATH", split = ",", defaultValue = "${env:WARREN_TASKS}",
            description = "Jars whose META-INF/services/dev.warren.core.task.TaskModule names task modules to run, besides"
                    + " those on the class path. A folder means every .jar directly in it, or is itself a classes"
                    + " directory if it holds that services file (env WARREN_TASKS, comma-separated).")
    List<String> tasks;

    @Option(names = "--delayed-tasks", defaultValue = "${env:WARREN_DELAYED_TASKS:-false}",
            description = "At start, declare the broker's delay topology and bind the work queue to it, so delayed"
                    + " tasks from any client (pika by docs/scheduling.md's routing convention) arrive; with"
                    + " --queue-type quorum the quorum delay levels (warren.delay.q.*); needs the"
                    + " permissions docs/scheduling.md lists (env WARREN_DELAYED_TASKS; default ${DEFAULT-VALUE}).")
    boolean delayedTasks;

    @Option(names = "--demo", defaultValue = "${env:WARREN_DEMO:-false}",
            description = "Also run the demo task types send_welcome_email, noop, echo, sleep, fail and crash; crash"
                    + " halts the worker, so never in production (env WARREN_DEMO; default ${DEFAULT-VALUE}).")
    boolean demo;

    @Option(names = "--email-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_DEMO_EMAIL_DELAY:-50ms}",
            description = "With --demo: how long the demo send_welcome_email task takes (env WARREN_DEMO_EMAIL_DELAY;"
                    + " default ${DEFAULT-VALUE}).")
    Duration emailDelay;

    private final List<TaskModule> given;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    // The thread of call() while it connects and starts the consumers; a stop request interrupts
    // it, which ends the broker retries at once (resilience4j's wait rethrows the last failure).
    // Guarded by "this", so an interrupt never lands after the start is over.
    private Thread starting;

    /** The worker-app command: task modules come from services files and {@code --demo} only. */
    public WorkerCommand() {
        this(List.of());
    }

    /** A worker command that also runs {@code given}, as {@link WarrenWorker#run} does. */
    WorkerCommand(List<TaskModule> given) {
        this.given = List.copyOf(given);
    }

    @Override
    public Integer call() throws Exception {
        String workerName = workerName();
        AmqpSettings amqp = connection.toSettings("warren-worker@" + workerName);
        WorkerSettings settings = settings();
        try (TaskModuleLoader loader = taskModuleLoader()) {
            return run(workerName, amqp, Guice.createInjector(modules(amqp, settings, loader)));
        }
    }

    private int run(String workerName, AmqpSettings amqp, Injector injector) throws InterruptedException, IOException {
        Worker worker = injector.getInstance(Worker.class);
        AmqpConnections connections = injector.getInstance(AmqpConnections.class);
        MetricsLifecycle metricsEndpoint = injector.getInstance(MetricsLifecycle.class);
        Optional<Scheduler> schedulerRunning = Optional.empty();
        Optional<EventPublisher> eventPublisher = events.enabled()
                ? Optional.of(injector.getInstance(EventPublisher.class)) : Optional.empty();
        log.info("worker {} starting against {}", workerName, amqp.redactedUri());
        try {
            schedulerRunning = scheduler.start(injector);
            metricsEndpoint.start();
            eventPublisher.ifPresent(EventPublisher::start);
            if (!startConsuming(worker, connections)) {
                log.info("stop requested before the worker was consuming (broker {} not connected yet); stopped"
                        + " without consuming anything", amqp.redactedUri());
                return 0;
            }
            stopRequested.await();
            log.info("stop requested; finishing in-flight tasks (up to {})", Durations.format(shutdownTimeout));
        } finally {
            schedulerRunning.ifPresent(Scheduler::close);
            worker.stop();
            eventPublisher.ifPresent(EventPublisher::close);
            metricsEndpoint.close();
            connections.close();
        }
        return 0;
    }

    /**
     * Starts the worker and, with {@code --delayed-tasks}, declares the delay topology; returns
     * false when a stop request came first or ended the start (the broker retries of an
     * unreachable broker, which would otherwise outlast Kubernetes' grace period).
     */
    private boolean startConsuming(Worker worker, AmqpConnections connections) throws IOException {
        synchronized (this) {
            if (stopRequested.getCount() == 0) {
                return false;
            }
            starting = Thread.currentThread();
        }
        try {
            worker.start();
            declareDelayedTasks(connections);
            return true;
        } catch (IOException | RuntimeException e) {
            if (stopRequested.getCount() == 0) {
                log.debug("the stop request ended the start: {}", AmqpConnections.describe(e));
                return false;
            }
            throw e;
        } finally {
            synchronized (this) {
                starting = null;
                if (stopRequested.getCount() == 0) {
                    Thread.interrupted(); // the stop request's interrupt, if the start ended without seeing it
                }
            }
        }
    }

    /**
     * With {@code --delayed-tasks}: declares the delay topology and binds the work queue to it, on a
     * channel of its own (idempotent; both are durable, so they outlive a broker restart).
     */
    void declareDelayedTasks(AmqpConnections connections) throws IOException {
        if (!delayedTasks) {
            return;
        }
        DelayLevels levels = DelayLevels.forWorkQueue(retry.queueType().quorum());
        try (Channel channel = connections.publishing().createChannel()) {
            DelayTopology.declare(channel, levels);
            DelayTopology.bind(channel, queue.queue());
        } catch (TimeoutException e) {
            throw new IOException("closing the channel that declared the delay topology timed out", e);
        }
        log.info("delay topology declared ({} levels, entry {}); '{}' receives delayed tasks", levels, levels.entry(),
                queue.queue());
    }

    /** The worker settings these flags describe. */
    WorkerSettings settings() {
        return new WorkerSettings(queue.queue(), concurrency, prefetch, shutdownTimeout, brokerConsumerTimeout, maxMessageBytes);
    }

    /** The loader of the task modules in services files, over the class path and the {@code --tasks} jars. */
    TaskModuleLoader taskModuleLoader() {
        return TaskModuleLoader.over(TaskJars.resolve(tasks));
    }

    /**
     * The Guice modules of the worker app, task modules included (given ones, then those
     * {@code loader} finds, then the demo's with {@code --demo}); tests reuse them.
     *
     * @throws InvalidSettingException when a task module cannot be loaded, a task type is
     *                                 registered twice, or there is no task type at all
     */
    List<Module> modules(AmqpSettings amqp, WorkerSettings settings, TaskModuleLoader loader) {
        List<Module> modules = new ArrayList<>(List.of(new CoreModule(amqp, routes(settings.queue())),
                new WorkerModule(settings), new RetryDlxModule(retry.settings(loader.classLoader()), retry.queueType()), metrics.module()));
        modules.addAll(scheduler.modules(workerName()));
        events.module(workerName()).ifPresent(modules::add);
        modules.addAll(TaskModules.checked(taskModules(loader)));
        return modules;
    }

    /** Every task type to the work queue, a quorum queue with {@code --queue-type quorum}. */
    private RouteTable routes(String workQueue) {
        RouteTable routes = RouteTable.allTo(workQueue);
        return retry.queueType().quorum() ? routes.withQuorumQueues(workQueue) : routes;
    }

    private List<TaskModules.Found> taskModules(TaskModuleLoader loader) {
        List<TaskModules.Found> found = new ArrayList<>();
        Set<Class<?>> givenClasses = new HashSet<>();
        for (TaskModule module : given) {
            found.add(new TaskModules.Found(module, "WarrenWorker.run"));
            givenClasses.add(module.getClass());
        }
        for (TaskModules.Found module : loader.load()) {
            // A team's main may pass the module its own jar also lists for worker-app: run it once, as given.
            if (givenClasses.contains(module.module().getClass())) {
                log.info("task module {} is given to WarrenWorker.run; not loading it again", module.describe());
            } else {
                found.add(module);
            }
        }
        if (demo) {
            found.add(new TaskModules.Found(new DemoTasks(new DemoSettings(emailDelay)), "--demo"));
        }
        return found;
    }

    /**
     * Asks a running {@link #call()} to stop gracefully, as SIGTERM does; while it still connects
     * to the broker, it stops retrying and returns 0 at once.
     */
    public void requestStop() {
        stopRequested.countDown();
        synchronized (this) {
            if (starting != null) {
                starting.interrupt();
            }
        }
    }

    /** {@code --name}, else host-pid. */
    private String workerName() {
        return name != null && !name.isBlank() ? name : defaultName();
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
