package dev.warren.retry;

import com.google.inject.Module;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.WarrenHarness;
import java.util.ArrayList;
import java.util.List;

/** A worker with the retry ladder (concurrency 2, prefetch 1), wired as worker-app wires it. */
final class RetryHarness implements AutoCloseable {

    private final WarrenHarness warren;
    private final String connectionName;

    RetryHarness(String amqpUri, String queue, RetrySettings retry, Module... tasks) {
        this(amqpUri, queue, retry, WorkQueueType.classic(), tasks);
    }

    RetryHarness(String amqpUri, String queue, RetrySettings retry, WorkQueueType type, Module... tasks) {
        List<Module> modules = new ArrayList<>(List.of(new RetryDlxModule(retry, type)));
        modules.addAll(List.of(tasks));
        warren = new WarrenHarness(amqpUri, WorkerSettings.of(queue).withConcurrency(2), "retry-" + queue,
                modules.toArray(Module[]::new));
        connectionName = "warren-test-retry-" + queue;
    }

    RetryHarness start() throws Exception {
        warren.start();
        return this;
    }

    /** The client-provided name of the consuming connection; the publishing one adds {@code -publish}. */
    String connectionName() {
        return connectionName;
    }

    Worker worker() {
        return warren.worker();
    }

    TaskPublisher publisher() {
        return warren.publisher();
    }

    DeadLetterQueue deadLetters() {
        return warren.get(DeadLetterQueue.class);
    }

    <T> T get(Class<T> type) {
        return warren.get(type);
    }

    @Override
    public void close() {
        warren.close();
    }
}
