package dev.warren.core.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;
import dev.warren.core.task.TaskOptions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Task types for integration tests, recording what they saw in a shared {@link Journal}. */
final class TestTasks extends TaskModule {

    /** What handlers saw, in order. Thread-safe. */
    @Singleton
    static final class Journal {
        final List<TaskContext> contexts = new CopyOnWriteArrayList<>();
        final List<Object> payloads = new CopyOnWriteArrayList<>();
        /** Contexts of {@code sleep} and {@code limited} attempts interrupted while sleeping. */
        final List<TaskContext> interrupted = new CopyOnWriteArrayList<>();
        /** Released by a test to let {@code block} tasks finish. */
        volatile CountDownLatch gate = new CountDownLatch(1);

        void record(Object payload, TaskContext context) {
            payloads.add(payload);
            contexts.add(context);
        }

        long count(String type) {
            return contexts.stream().filter(c -> c.taskType().equals(type)).count();
        }
    }

    /** Payload of {@code greet}. */
    record Greeting(long userId, String userName) {
        Greeting {
            if (userName == null) {
                throw new IllegalArgumentException("user_name is required");
            }
        }
    }

    /** Payload of {@code sleep}. */
    record Sleep(long ms) {
    }

    @Override
    protected void configureTasks() {
        bindTask("greet", Greeting.class, Greet.class);
        bindTask("sleep", Sleep.class, SleepFor.class);
        bindTask("block", JsonNode.class, Block.class);
        bindTask("explode", JsonNode.class, Explode.class);
        bindTask("refuse", JsonNode.class, Refuse.class);
        bindTask("limited", Sleep.class, SleepFor.class, TaskOptions.timeLimit(Duration.ofMillis(300)));
    }

    static final class Greet implements TaskHandler<Greeting, Map<String, Object>> {
        private final Journal journal;

        @Inject
        Greet(Journal journal) {
            this.journal = journal;
        }

        @Override
        public Map<String, Object> handle(Greeting payload, TaskContext context) {
            journal.record(payload, context);
            return Map.of("greeting", "hello " + payload.userName(), "user_id", payload.userId());
        }
    }

    static final class SleepFor implements TaskHandler<Sleep, Void> {
        private final Journal journal;

        @Inject
        SleepFor(Journal journal) {
            this.journal = journal;
        }

        @Override
        public Void handle(Sleep payload, TaskContext context) throws InterruptedException {
            try {
                Thread.sleep(payload.ms());
            } catch (InterruptedException e) {
                journal.interrupted.add(context);
                throw e;
            }
            journal.record(payload, context);
            return null;
        }
    }

    /** Waits for the journal's gate, then records; the first delivery blocks, redeliveries do not. */
    static final class Block implements TaskHandler<JsonNode, Void> {
        private final Journal journal;

        @Inject
        Block(Journal journal) {
            this.journal = journal;
        }

        @Override
        public Void handle(JsonNode payload, TaskContext context) throws InterruptedException {
            if (!context.redelivered()) {
                journal.gate.await();
            }
            journal.record(payload, context);
            return null;
        }
    }

    static final class Explode implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            throw new IllegalStateException("exploded on attempt " + context.attempt());
        }
    }

    static final class Refuse implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            throw new PermanentTaskFailure("user 42 does not exist");
        }
    }
}
