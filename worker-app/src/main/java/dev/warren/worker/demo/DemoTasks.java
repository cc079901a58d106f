package dev.warren.worker.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.wire.TaskHeaders;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo task types bundled with worker-app: {@code send_welcome_email}, {@code noop},
 * {@code echo}, {@code sleep}, {@code fail} and {@code crash}. Also a complete example of a {@link TaskModule}.
 */
public final class DemoTasks extends TaskModule {

    private final DemoSettings settings;

    public DemoTasks(DemoSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configureTasks() {
        bind(DemoSettings.class).toInstance(settings);
        bindTask("send_welcome_email", WelcomeEmail.class, WelcomeEmailHandler.class);
        bindTask("noop", JsonNode.class, Noop.class);
        bindTask("echo", ObjectNode.class, Echo.class);
        bindTask("sleep", Sleep.class, SleepHandler.class);
        bindTask("fail", Fail.class, FailHandler.class);
        bindTask("crash", JsonNode.class, Crash.class);
    }

    /** Does nothing: measures the framework itself. */
    @Singleton
    public static final class Noop implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            return null;
        }
    }

    /** Returns its payload (without {@code task_type}) as the result. */
    @Singleton
    public static final class Echo implements TaskHandler<ObjectNode, ObjectNode> {
        @Override
        public ObjectNode handle(ObjectNode payload, TaskContext context) {
            ObjectNode copy = payload.deepCopy();
            copy.remove(TaskHeaders.TASK_TYPE_FIELD);
            return copy;
        }
    }

    /** Sleeps {@code ms} milliseconds; interruptible, so a time limit can stop it. */
    @Singleton
    public static final class SleepHandler implements TaskHandler<Sleep, Map<String, Long>> {
        @Override
        public Map<String, Long> handle(Sleep payload, TaskContext context) throws InterruptedException {
            Thread.sleep(payload.ms());
            return Map.of("slept_ms", payload.ms());
        }
    }

    /** Fails its first {@code times} attempts, or with probability {@code p}; succeeds otherwise. */
    @Singleton
    public static final class FailHandler implements TaskHandler<Fail, Map<String, Integer>> {
        @Override
        public Map<String, Integer> handle(Fail payload, TaskContext context) {
            if (payload.times() != null && context.attempt() <= payload.times()) {
                throw new PlannedFailure("planned failure of attempt " + context.attempt() + " (fails the first "
                        + payload.times() + ")");
            }
            if (payload.p() != null && ThreadLocalRandom.current().nextDouble() < payload.p()) {
                throw new PlannedFailure("planned failure with probability " + payload.p());
            }
            return Map.of("attempt", context.attempt());
        }
    }

    /**
     * Halts the worker's JVM at once, as a segfaulting native library or an out-of-memory kill
     * would: no catch, no acknowledgement. Shows that a task which kills its worker still ends in
     * the dead-letter queue (redeliveries count as attempts; quorum queues add x-delivery-limit).
     */
    @Singleton
    public static final class Crash implements TaskHandler<JsonNode, Void> {
        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Crash.class);

        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            log.error("crash task {} (attempt {}): halting this worker now", context.messageId(), context.attempt());
            Runtime.getRuntime().halt(70);
            return null;
        }
    }

    /** The retryable failure {@code fail} throws. */
    public static final class PlannedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PlannedFailure(String message) {
            super(message);
        }
    }
}
