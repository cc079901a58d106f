package dev.warren.benchmarks;

import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.TaskPublisher;
import java.io.IOException;
import java.util.UUID;

/**
 * The Warren side's publisher: {@link TaskPublisher#publish(OutgoingTask)} with the same window
 * as the raw side, as {@code producer-app load} uses it.
 */
final class WarrenPublisher implements Publisher {

    private final TaskPublisher publisher;
    private final TaskBodies bodies;
    private final int window;

    WarrenPublisher(TaskPublisher publisher, TaskBodies bodies, int window) {
        this.publisher = publisher;
        this.bodies = bodies;
        this.window = window;
    }

    @Override
    public PublishResult publish(String queue, long maxCount, long deadlineNanos) throws IOException, InterruptedException {
        PublishWindow window = new PublishWindow(this.window);
        long sent = 0;
        while (window.more(sent, maxCount, deadlineNanos)) {
            if (!window.acquire()) {
                continue;
            }
            OutgoingTask task = new OutgoingTask(UUID.randomUUID().toString(), TaskBodies.TYPE, bodies.payload(sent),
                    queue, null, null, null);
            publisher.publish(task).whenComplete((ok, error) -> window.settled(1, error == null));
            sent++;
        }
        return window.finish(queue, publisher.outstandingConfirms());
    }
}
