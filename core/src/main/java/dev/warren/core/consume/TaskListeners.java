package dev.warren.core.consume;

import dev.warren.core.spi.TaskEvent;
import dev.warren.core.spi.TaskListener;
import dev.warren.core.spi.TaskOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls every {@link TaskListener}, isolating the task from them: a listener observes a task, so
 * its exception must neither fail the task nor leave the delivery unacknowledged (with prefetch 1
 * that stalls the consumer). A failing listener is logged with its stack trace the first time,
 * at DEBUG after that, and counted ({@link WorkerStats#errors()}).
 */
final class TaskListeners {

    private static final Logger log = LoggerFactory.getLogger(TaskListeners.class);

    private final List<TaskListener> listeners;
    private final WorkerStats stats;
    private final Set<Class<?>> reported = ConcurrentHashMap.newKeySet();

    TaskListeners(Set<TaskListener> listeners, WorkerStats stats) {
        this.listeners = List.copyOf(listeners);
        this.stats = stats;
    }

    void started(String queue, String taskType, Instant publishedAt) {
        for (TaskListener listener : listeners) {
            try {
                listener.taskStarted(queue, taskType, publishedAt);
            } catch (Throwable e) {
                failed(listener, "taskStarted", e);
            }
        }
    }

    void finished(String queue, String taskType, TaskOutcome outcome, Duration duration) {
        for (TaskListener listener : listeners) {
            try {
                listener.taskFinished(queue, taskType, outcome, duration);
            } catch (Throwable e) {
                failed(listener, "taskFinished", e);
            }
        }
    }

    void tooLarge(String queue, long bodyBytes) {
        for (TaskListener listener : listeners) {
            try {
                listener.taskTooLarge(queue, bodyBytes);
            } catch (Throwable e) {
                failed(listener, "taskTooLarge", e);
            }
        }
    }

    void event(TaskEvent event) {
        for (TaskListener listener : listeners) {
            try {
                listener.taskEvent(event);
            } catch (Throwable e) {
                failed(listener, "taskEvent", e);
            }
        }
    }

    private void failed(TaskListener listener, String method, Throwable e) {
        stats.recordError();
        if (reported.add(listener.getClass())) {
            log.error("task listener {} threw from {}; the task goes on without it (logged once per listener,"
                    + " counted in warren_worker_errors_total)", listener.getClass().getName(), method, e);
        } else {
            log.debug("task listener {} threw from {} again", listener.getClass().getName(), method, e);
        }
    }
}
