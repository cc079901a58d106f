package dev.warren.events;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.WarrenHarness;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;

/** A worker with the retry ladder (2 attempts, 200ms apart) and task events on, wired as worker-app wires it. */
final class EventsHarness implements AutoCloseable {

    static final String WORKER = "events-test-worker";
    static final RetrySettings RETRY = RetrySettings.custom().maxAttempts(2).delays("200ms").build();

    private final WarrenHarness warren;
    private final EventPublisher events;

    EventsHarness(String amqpUri, String queue, EventsSettings settings) {
        this(amqpUri, WorkerSettings.of(queue).withConcurrency(2), settings);
    }

    EventsHarness(String amqpUri, WorkerSettings worker, EventsSettings settings) {
        warren = new WarrenHarness(amqpUri, worker, "events-" + worker.queue(),
                new RetryDlxModule(RETRY, WorkQueueType.classic()), new EventsModule(settings, WORKER),
                new EventTasks());
        events = warren.get(EventPublisher.class);
    }

    EventsHarness start() throws Exception {
        events.start();
        warren.start();
        return this;
    }

    Worker worker() {
        return warren.worker();
    }

    TaskPublisher publisher() {
        return warren.publisher();
    }

    EventPublisher events() {
        return events;
    }

    /** A reader of the stream on the harness' publishing connection; declares the stream first, as an operator may. */
    TaskEvents reader(EventsSettings settings) throws Exception {
        Connection connection = warren.connections().publishing();
        try (Channel channel = connection.createChannel()) {
            EventStream.declare(channel, settings);
        }
        return new TaskEvents(connection, settings.stream());
    }

    @Override
    public void close() {
        try {
            worker().stop();
        } finally {
            events.close();
            warren.connections().close();
        }
    }
}
