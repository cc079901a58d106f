package dev.warren.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;

/**
 * Task types for event tests: {@code ok} succeeds, {@code flaky} fails its first attempt,
 * {@code broken} every one, {@code slow} takes 500 ms.
 */
final class EventTasks extends TaskModule {

    @Override
    protected void configureTasks() {
        bindTask("ok", JsonNode.class, Ok.class);
        bindTask("flaky", JsonNode.class, Flaky.class);
        bindTask("broken", JsonNode.class, Broken.class);
        bindTask("slow", JsonNode.class, Slow.class);
    }

    static final class Slow implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) throws InterruptedException {
            Thread.sleep(500);
            return null;
        }
    }

    static final class Ok implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            return null;
        }
    }

    static final class Flaky implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            if (context.attempt() == 1) {
                throw new IllegalStateException("flaky on attempt 1");
            }
            return null;
        }
    }

    static final class Broken implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) {
            throw new IllegalArgumentException("broken on attempt " + context.attempt());
        }
    }
}
