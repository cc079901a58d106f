package dev.warren.retry;

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

/** A worker with the retry ladder, wired as worker-app wires it, for integration tests. */
final class RetryHarness implements AutoCloseable {

    private final Injector injector;
    private boolean started;

    RetryHarness(String amqpUri, String queue, RetrySettings retry, Module... tasks) {
        this(amqpUri, queue, retry, WorkQueueType.classic(), tasks);
    }

    RetryHarness(String amqpUri, String queue, RetrySettings retry, WorkQueueType type, Module... tasks) {
        AmqpSettings amqp = AmqpSettings.of(amqpUri).withConnectionName("warren-test-retry-" + queue)
                .withStartupTimeout(Duration.ofSeconds(30));
        WorkerSettings worker = WorkerSettings.of(queue).withConcurrency(2).withPrefetch(1);
        List<Module> modules = new ArrayList<>(List.of(new CoreModule(amqp, RouteTable.allTo(queue)),
                new WorkerModule(worker), new RetryDlxModule(retry, type)));
        modules.addAll(List.of(tasks));
        injector = Guice.createInjector(modules);
    }

    RetryHarness start() throws Exception {
        worker().start();
        started = true;
        return this;
    }

    Worker worker() {
        return injector.getInstance(Worker.class);
    }

    TaskPublisher publisher() {
        return injector.getInstance(TaskPublisher.class);
    }

    DeadLetterQueue deadLetters() {
        return injector.getInstance(DeadLetterQueue.class);
    }

    <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    @Override
    public void close() {
        if (started) {
            worker().stop();
        }
        injector.getInstance(AmqpConnections.class).close();
    }
}
