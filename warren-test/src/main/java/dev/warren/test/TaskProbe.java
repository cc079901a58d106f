package dev.warren.test;

import com.google.inject.Injector;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.TaskFailedException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.task.TaskType;
import dev.warren.retry.DeadLetter;
import dev.warren.retry.DeadLetterQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;

/**
 * Sends tasks to a {@link WarrenWorkerExtension}'s worker through the broker and waits for what
 * happens to them: the typed result, or the copy in the dead-letter queue with its reason. Every
 * wait is bounded by the extension's timeout and fails the test with what it waited for.
 */
public final class TaskProbe {

    private final String queue;
    private final TaskPublisher publisher;
    private final DeadLetterQueue deadLetters;
    private final Duration timeout;

    TaskProbe(String queue, Injector injector, Duration timeout) {
        this.queue = queue;
        this.publisher = injector.getInstance(TaskPublisher.class);
        this.deadLetters = injector.getInstance(DeadLetterQueue.class);
        this.timeout = timeout;
    }

    /** Publishes a typed task, waits for the broker's confirm, and returns its id. */
    public <P> String publish(TaskType<P, ?> type, P payload) {
        OutgoingTask task = publisher.task(type, payload);
        await(publisher.publish(task), "the broker's confirm of " + type.name());
        return task.id();
    }

    /**
     * Publishes a typed task and waits for its result, as a producer's {@code request} does.
     *
     * @throws TaskFailedException when the task was dead-lettered (its id, type, error and attempts)
     */
    public <P, R> R request(TaskType<P, R> type, P payload) {
        return await(publisher.request(type, payload), "the result of " + type.name());
    }

    /**
     * Publishes a typed task, waits until it was dead-lettered and returns the failure the requester
     * gets (its {@link TaskFailedException#error()} is the reason).
     *
     * @throws AssertionError when it succeeded instead
     */
    public <P> TaskFailedException requestFailure(TaskType<P, ?> type, P payload) {
        try {
            Object result = await(publisher.request(type, payload), "the dead-lettering of " + type.name());
            throw new AssertionError("expected task type " + type.name() + " to be dead-lettered, but it succeeded with "
                    + result);
        } catch (TaskFailedException e) {
            return e;
        }
    }

    /** Waits until the task {@code taskId} is in the queue's dead-letter queue and returns it (it stays there). */
    public DeadLetter awaitDeadLetter(String taskId) {
        return Awaitility.await("task " + taskId + " in " + queue + ".dlq")
                .atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> find(taskId), letters -> !letters.isEmpty())
                .get(0);
    }

    /** What the dead-letter queue holds now, oldest first (up to 1,000). */
    public List<DeadLetter> deadLetters() {
        try {
            return deadLetters.list(queue, letter -> true, 1000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + queue + ".dlq", e);
        }
    }

    private List<DeadLetter> find(String taskId) throws IOException {
        return deadLetters.list(queue, letter -> taskId.equals(letter.messageId()), 1);
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError("waiting for " + what + " on " + queue + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no " + what + " on " + queue + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }
}
