package dev.warren.benchmarks;

import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.task.TaskType;
import java.io.IOException;

/**
 * The Warren side's typed publisher: {@link TaskPublisher#publish(TaskType, Object)} with a
 * {@link TaskBodies.NoopPayload} record, the same window as the other sides. The typed call takes
 * its queue from the publisher's route table, so this side sends to one queue of the run, which
 * each of its measurements declares and deletes.
 */
final class TypedPublisher implements Publisher {

    private final TaskPublisher publisher;
    private final String queue;
    private final TaskBodies bodies;
    private final int window;

    /**
     * @param publisher a publisher whose route table sends {@link TaskBodies#TYPE} to {@code queue}
     * @param queue     where {@code publisher} routes the benchmark's tasks
     */
    TypedPublisher(TaskPublisher publisher, String queue, TaskBodies bodies, int window) {
        this.publisher = publisher;
        this.queue = queue;
        this.bodies = bodies;
        this.window = window;
    }

    /** The queue the route table sends to: the only one {@link #publish} accepts. */
    String queue() {
        return queue;
    }

    @Override
    public PublishResult publish(String queue, long maxCount, long deadlineNanos) throws IOException, InterruptedException {
        if (!this.queue.equals(queue)) {
            throw new IllegalArgumentException("the typed publisher sends to '" + this.queue
                    + "' (its route table), not to '" + queue + "'");
        }
        PublishWindow window = new PublishWindow(this.window);
        long sent = 0;
        while (window.more(sent, maxCount, deadlineNanos)) {
            if (!window.acquire()) {
                continue;
            }
            publisher.publish(TaskBodies.NOOP, bodies.typedPayload(sent))
                    .whenComplete((ok, error) -> window.settled(1, error == null));
            sent++;
        }
        return window.finish(queue, publisher.outstandingConfirms());
    }
}
