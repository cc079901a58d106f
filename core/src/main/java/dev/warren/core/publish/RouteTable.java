package dev.warren.core.publish;

import java.util.Map;
import java.util.Objects;

/**
 * Which queue a task type is published to: an explicit route, else the default queue.
 *
 * @param defaultQueue queue for every type without a route (default {@code task_queue})
 * @param routes       task type to queue
 */
public record RouteTable(String defaultQueue, Map<String, String> routes) {

    public RouteTable {
        Objects.requireNonNull(defaultQueue, "defaultQueue");
        routes = Map.copyOf(routes == null ? Map.of() : routes);
    }

    /** Every task type goes to {@code queue}. */
    public static RouteTable allTo(String queue) {
        return new RouteTable(queue, Map.of());
    }

    /** The queue for {@code taskType}. */
    public String queueFor(String taskType) {
        return routes.getOrDefault(taskType, defaultQueue);
    }
}
