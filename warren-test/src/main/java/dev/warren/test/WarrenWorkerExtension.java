package dev.warren.test;

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
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives each test a real broker and a started Warren worker running the
 * test's modules with the retry ladder, wired as worker-app wires it, on a queue of its own:
 *
 * <pre>{@code
 * @RegisterExtension
 * final WarrenWorkerExtension warren = WarrenWorkerExtension.builder()
 *         .modules(new ImageTasks(), binder -> binder.bind(ImageStore.class).toInstance(store))
 *         .build();
 *
 * @Test
 * void resizes() {
 *     ResizeResult result = warren.probe().request(ImageTypes.RESIZE, new ResizeImage(url, 640));
 * }
 * }</pre>
 *
 * <p>The broker is the one Warren's own tests share ({@link RabbitBroker#shared()}), located once
 * per JVM: {@code WARREN_TEST_AMQP_URI}; a broker on {@code localhost:5672} (guest/guest);
 * Testcontainers' {@code rabbitmq} image when Docker is reachable (with
 * {@code org.testcontainers:rabbitmq}, which this module brings); a private node from the installed
 * {@code rabbitmq-server} package. Without one the test fails, saying how to get one; it is never
 * skipped.
 *
 * <p>Before each test the worker starts on {@code <prefix>-<8 hex digits>}; after it, the worker
 * stops gracefully, its connections close and the queue, its {@code .dlq} and its
 * {@code .retry.<delay>} queues are deleted. Register it as an instance field (one worker per
 * test). Retry delays are real broker TTLs here: give the types short ones, or use
 * {@link TaskHarness} for retry timing.
 */
public final class WarrenWorkerExtension implements BeforeEachCallback, AfterEachCallback {

    private final List<Module> modules;
    private final RetrySettings retry;
    private final int concurrency;
    private final String queuePrefix;
    private final Duration timeout;

    // Set in beforeEach and cleared in afterEach, both on the test's thread.
    private Running running;

    private WarrenWorkerExtension(Builder builder) {
        this.modules = List.copyOf(builder.modules);
        this.retry = builder.retry;
        this.concurrency = builder.concurrency;
        this.queuePrefix = builder.queuePrefix;
        this.timeout = builder.timeout;
    }

    /** A builder: modules, retry settings, concurrency, queue prefix, probe timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /** An extension running {@code modules} with the worker's default retry settings. */
    public static WarrenWorkerExtension withModules(Module... modules) {
        return builder().modules(modules).build();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        RabbitBroker broker = RabbitBroker.shared();
        String queue = TestQueues.unique(queuePrefix);
        QueueCleanup cleanup = new QueueCleanup(broker);
        cleanup.register(queue);
        AmqpSettings amqp = AmqpSettings.of(broker.amqpUri()).withConnectionName("warren-test-" + queue)
                .withStartupTimeout(Duration.ofSeconds(30));
        List<Module> all = new ArrayList<>(List.of(new CoreModule(amqp, RouteTable.allTo(queue)),
                new WorkerModule(WorkerSettings.of(queue).withConcurrency(concurrency)),
                new RetryDlxModule(retry, WorkQueueType.classic())));
        all.addAll(modules);
        Injector injector = Guice.createInjector(all);
        running = new Running(broker, queue, injector, cleanup);
        injector.getInstance(Worker.class).start();
        running.started = true;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Running ending = running;
        running = null;
        if (ending == null) {
            return;
        }
        try {
            if (ending.started) {
                ending.injector.getInstance(Worker.class).stop();
            }
        } finally {
            try {
                ending.injector.getInstance(AmqpConnections.class).close();
            } finally {
                ending.cleanup.deleteRegistered();
            }
        }
    }

    /** The broker the worker runs on. */
    public RabbitBroker broker() {
        return current().broker;
    }

    /** The test's work queue; its dead-letter queue is {@code <queue>.dlq}. */
    public String queue() {
        return current().queue;
    }

    /** The running worker. */
    public Worker worker() {
        return get(Worker.class);
    }

    /** The worker's publisher, routing every type to {@link #queue()}. */
    public TaskPublisher publisher() {
        return get(TaskPublisher.class);
    }

    /** Publishes tasks and awaits their results and dead letters. */
    public TaskProbe probe() {
        Running now = current();
        return new TaskProbe(now.queue, now.injector, timeout);
    }

    /** An instance from the worker's injector, e.g. a handler's dependency to inspect. */
    public <T> T get(Class<T> type) {
        return current().injector.getInstance(type);
    }

    private Running current() {
        if (running == null) {
            throw new IllegalStateException("no worker: WarrenWorkerExtension starts one before each test and stops it"
                    + " after; register it with @RegisterExtension on an instance field and use it inside a test");
        }
        return running;
    }

    /** One test's worker. */
    private static final class Running {
        final RabbitBroker broker;
        final String queue;
        final Injector injector;
        final QueueCleanup cleanup;
        boolean started;

        Running(RabbitBroker broker, String queue, Injector injector, QueueCleanup cleanup) {
            this.broker = broker;
            this.queue = queue;
            this.injector = injector;
            this.cleanup = cleanup;
        }
    }

    /** Builds a {@link WarrenWorkerExtension}. Not thread-safe. */
    public static final class Builder {
        private final List<Module> modules = new ArrayList<>();
        private RetrySettings retry = RetrySettings.DEFAULTS;
        private int concurrency = 1;
        private String queuePrefix = "warren-test";
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Guice modules to install: the team's {@code TaskModule}s and what their handlers need. Adds to earlier ones. */
        public Builder modules(Module... values) {
            modules.addAll(List.of(values));
            return this;
        }

        /** The worker's retry defaults (default {@link RetrySettings#DEFAULTS}, as worker-app without flags). */
        public Builder retrySettings(RetrySettings value) {
            this.retry = Objects.requireNonNull(value, "retry settings");
            return this;
        }

        /** Consumers (default 1). */
        public Builder concurrency(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1, was " + value);
            }
            this.concurrency = value;
            return this;
        }

        /** The start of the test queues' names (default {@code warren-test}). */
        public Builder queuePrefix(String value) {
            this.queuePrefix = Objects.requireNonNull(value, "queue prefix");
            return this;
        }

        /** How long the probe waits for a result or a dead letter (default 30s). */
        public Builder timeout(Duration value) {
            if (value == null || !value.isPositive()) {
                throw new IllegalArgumentException("probe timeout must be > 0, was " + value);
            }
            this.timeout = value;
            return this;
        }

        public WarrenWorkerExtension build() {
            return new WarrenWorkerExtension(this);
        }
    }
}
