package dev.warren.core.publish;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which queue a task type is published to: an explicit route, else the default queue; and which
 * of the queues are quorum queues, whose delayed tasks wait in the quorum delay levels
 * ({@link DelayLevels#QUORUM}) rather than the classic ones.
 *
 * @param defaultQueue queue for every type without a route (default {@code task_queue})
 * @param routes       task type to queue
 * @param quorumQueues work queues that are quorum queues (none by default)
 */
public record RouteTable(String defaultQueue, Map<String, String> routes, Set<String> quorumQueues) {

    public RouteTable {
        Objects.requireNonNull(defaultQueue, "defaultQueue");
        routes = Map.copyOf(routes == null ? Map.of() : routes);
        quorumQueues = Set.copyOf(quorumQueues == null ? Set.of() : quorumQueues);
    }

    /** Routes to classic work queues only. */
    public RouteTable(String defaultQueue, Map<String, String> routes) {
        this(defaultQueue, routes, Set.of());
    }

    /** Every task type goes to {@code queue}, a classic queue. */
    public static RouteTable allTo(String queue) {
        return new RouteTable(queue, Map.of());
    }

    /** These routes, with {@code queues} (added to those known already) being quorum queues. */
    public RouteTable withQuorumQueues(String... queues) {
        Set<String> all = new HashSet<>(quorumQueues);
        all.addAll(List.of(queues));
        return new RouteTable(defaultQueue, routes, all);
    }

    /** True when {@code queue} is one of {@link #quorumQueues()}. */
    public boolean isQuorum(String queue) {
        return quorumQueues.contains(queue);
    }

    /** The queue for {@code taskType}. */
    public String queueFor(String taskType) {
        return routes.getOrDefault(taskType, defaultQueue);
    }
}
