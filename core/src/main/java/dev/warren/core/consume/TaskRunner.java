package dev.warren.core.consume;

import dev.warren.core.config.Durations;
import dev.warren.core.spi.TaskFailure;
import dev.warren.core.spi.TaskInterceptor;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskDefinition;
import dev.warren.core.task.TaskTimeLimitExceeded;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs a handler through the interceptors and, when its type has a time limit, on a thread of its
 * own that is interrupted at the limit.
 *
 * <p>Java cannot stop a thread that ignores interruption. Such a run is <em>overdue</em>: the
 * attempt has already failed with {@link TaskTimeLimitExceeded} (and is retried), but the handler
 * still runs beside the worker's consumers. Overdue runs are counted ({@link #overdue()}), kept in
 * the worker's in-flight count until they end (so a graceful stop waits for them), and logged
 * when they outlast the limit by {@link #OVERDUE_WARNING}.
 */
final class TaskRunner {

    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    /** How long after its interruption a run is reported as ignoring it. */
    static final Duration OVERDUE_WARNING = Duration.ofSeconds(1);

    private final List<TaskInterceptor> interceptors;
    private final InFlight inFlight;
    private final ScheduledExecutorService timer;
    private final AtomicInteger overdue = new AtomicInteger();
    private final ExecutorService timeLimited = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("warren-task-", 0).factory());

    TaskRunner(List<TaskInterceptor> interceptors, InFlight inFlight, ScheduledExecutorService timer) {
        this.interceptors = List.copyOf(interceptors);
        this.inFlight = inFlight;
        this.timer = timer;
    }

    /** Runs past their time limit that have not ended yet. */
    int overdue() {
        return overdue.get();
    }

    Object run(TaskDefinition definition, Object payload, TaskContext context) throws Exception {
        if (interceptors.isEmpty()) {
            return runOnce(definition, payload, context);
        }
        Callable<Object> attempt = () -> runOnce(definition, payload, context);
        for (TaskInterceptor interceptor : interceptors) {
            Callable<Object> inner = attempt;
            attempt = () -> interceptor.intercept(context, inner);
        }
        return attempt.call();
    }

    /**
     * The longest one run of {@code definition} through the interceptors can take, each call of its
     * handler stopped at its time limit; null when the type has no time limit.
     */
    Duration longestRun(TaskDefinition definition) {
        Duration longest = definition.options().timeLimit();
        if (longest == null) {
            return null;
        }
        // In the order run() wraps them, innermost first.
        for (TaskInterceptor interceptor : interceptors) {
            longest = interceptor.longestRun(definition.type(), longest);
        }
        return longest;
    }

    private Object runOnce(TaskDefinition definition, Object payload, TaskContext context) throws Exception {
        Duration limit = definition.options().timeLimit();
        if (limit == null) {
            return definition.run(payload, context);
        }
        TimedRun run = new TimedRun(definition, payload, context, limit);
        Future<Object> attempt = timeLimited.submit(run);
        try {
            return attempt.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            attempt.cancel(true);
            run.passedLimit();
            throw new TaskTimeLimitExceeded("task " + context.messageId() + " (" + context.taskType()
                    + ") ran past its time limit of " + Durations.format(limit) + " and was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Interrupts time-limited runs; overdue ones that ignore it keep running until they end. */
    void shutdown() {
        timeLimited.shutdownNow();
    }

    /** One time-limited attempt, on its own virtual thread, with the caller's logging context. */
    private final class TimedRun implements Callable<Object> {

        private static final int RUNNING = 0;
        private static final int ENDED = 1;
        private static final int OVERDUE = 2;

        private final TaskDefinition definition;
        private final Object payload;
        private final TaskContext context;
        private final Duration limit;
        private final Map<String, String> logContext = MDC.getCopyOfContextMap();
        // RUNNING until the handler returns (ENDED) or the limit passes first (OVERDUE); exactly
        // one of the two transitions wins, so an overdue run is counted in and out exactly once.
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile long limitPassedAt;

        TimedRun(TaskDefinition definition, Object payload, TaskContext context, Duration limit) {
            this.definition = definition;
            this.payload = payload;
            this.context = context;
            this.limit = limit;
        }

        @Override
        public Object call() throws Exception {
            if (logContext != null) {
                MDC.setContextMap(logContext);
            }
            try {
                return definition.run(payload, context);
            } finally {
                if (!state.compareAndSet(RUNNING, ENDED)) {
                    ended();
                }
                MDC.clear();
            }
        }

        /** The caller gave up at the limit and interrupted this run. */
        void passedLimit() {
            if (!state.compareAndSet(RUNNING, OVERDUE)) {
                return;
            }
            limitPassedAt = System.nanoTime();
            overdue.incrementAndGet();
            inFlight.begin();
            try {
                timer.schedule(this::warnIfStillRunning, OVERDUE_WARNING.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                log.debug("worker stopping; no check of the overdue run of task {}", context.messageId());
            }
        }

        private void warnIfStillRunning() {
            if (state.get() != OVERDUE) {
                return;
            }
            Map<String, String> previous = MDC.getCopyOfContextMap();
            if (logContext != null) {
                MDC.setContextMap(logContext);
            }
            try {
                log.warn("task {} ({}) still runs {} after its time limit of {} interrupted it: its handler ignores"
                        + " interruption, so it runs on beside this worker's consumers until it returns ({} such run(s)"
                        + " now; warren_tasks_overdue)", TaskFailure.printable(context.messageId()),
                        TaskFailure.printable(context.taskType()), Durations.format(OVERDUE_WARNING),
                        Durations.format(limit), overdue.get());
            } finally {
                if (previous == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(previous);
                }
            }
        }

        private void ended() {
            overdue.decrementAndGet();
            inFlight.end();
            Duration late = Duration.ofNanos(System.nanoTime() - limitPassedAt);
            if (late.compareTo(OVERDUE_WARNING) >= 0) {
                log.warn("overdue run of task {} ({}) ended {} after its time limit; its attempt had already failed",
                        TaskFailure.printable(context.messageId()), TaskFailure.printable(context.taskType()),
                        Durations.format(late));
            }
        }
    }
}
