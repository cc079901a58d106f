package dev.warren.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.task.PermanentTaskFailure;
import dev.warren.core.task.TaskContext;
import dev.warren.core.task.TaskHandler;
import dev.warren.core.task.TaskModule;

/** Task types for the metrics tests: {@code echo} succeeds, {@code refuse} fails for good (dead-lettered). */
final class MetricsTasks extends TaskModule {

    @Override
    protected void configureTasks() {
        bindTask("echo", JsonNode.class, Echo.class);
        bindTask("refuse", JsonNode.class, Refuse.class);
    }

    static final class Echo implements TaskHandler<JsonNode, JsonNode> {
        @Override
        public JsonNode handle(JsonNode payload, TaskContext context) {
            return payload;
        }
    }

    static final class Refuse implements TaskHandler<JsonNode, Void> {
        @Override
        public Void handle(JsonNode payload, TaskContext context) throws PermanentTaskFailure {
            throw new PermanentTaskFailure("refused on purpose");
        }
    }
}
