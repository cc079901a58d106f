package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warren.core.connection.AmqpConnections;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /api/workers}: every worker connection — one that consumes from a Warren work queue
 * (a queue {@code q} with a {@code q.dlq}), or a Warren worker's consuming connection, which names
 * its task types in the client property {@value AmqpConnections#TASK_TYPES_PROPERTY} (and is named
 * {@code warren-worker@<name>}) — with its host, consumers, prefetch,
 * in-flight (unacknowledged) messages, when it connected and the queues it consumes. From the
 * management API's connections, channels and consumers as the signed-in user: a user with only the
 * {@code management} tag sees its own connections, {@code monitoring} or {@code administrator}
 * sees all. Connections that consume only other queues are left out: the console's own dead-letter
 * and event-stream readers ({@code warren-console@<user>}), a worker's DLQ tools ({@code -read}) and
 * its scheduler lease ({@code -scheduler}).
 */
final class WorkersApi {

    /**
     * One worker connection.
     *
     * @param name           the client-provided connection name, else the broker's
     * @param connection     the broker's name of the connection ({@code peer:port -> node:port})
     * @param user           the user it connected as
     * @param host           the peer's host
     * @param client         client library and version
     * @param consumers      consumers on it
     * @param prefetch       the per-consumer prefetch limits in use
     * @param inFlight       messages delivered to it and not yet acknowledged
     * @param connectedSince when it connected
     * @param queues         the queues it consumes
     */
    record Worker(String name, String connection, String user, String host, String client, int consumers,
                  List<Integer> prefetch, long inFlight, String connectedSince, List<String> queues,
                  List<String> taskTypes) {
    }

    void addTo(Routes routes) {
        routes.add("GET", "/api/workers", Routes.Access.API, request -> Reply.json(Map.of("workers",
                read(request.session().broker()))));
    }

    List<Worker> read(UserBroker broker) throws IOException {
        String vhost = ManagementClient.segment(broker.vhost());
        Map<String, List<JsonNode>> consumersByConnection = new HashMap<>();
        broker.management().get("/api/consumers/" + vhost).forEach(consumer -> consumersByConnection
                .computeIfAbsent(consumer.path("channel_details").path("connection_name").asText(), c -> new ArrayList<>())
                .add(consumer));
        Map<String, Long> unackedByConnection = new HashMap<>();
        broker.management().get("/api/vhosts/" + vhost + "/channels").forEach(channel -> unackedByConnection.merge(
                channel.path("connection_details").path("name").asText(), channel.path("messages_unacknowledged").asLong(),
                Long::sum));
        Set<String> queueNames = new HashSet<>();
        broker.management().get("/api/queues/" + vhost + "?columns=name")
                .forEach(queue -> queueNames.add(queue.path("name").asText()));
        List<Worker> workers = new ArrayList<>();
        for (JsonNode connection : broker.management().get("/api/vhosts/" + vhost + "/connections")) {
            String brokerName = connection.path("name").asText();
            List<JsonNode> consumers = consumersByConnection.getOrDefault(brokerName, List.of());
            if (consumers.isEmpty()) {
                continue;
            }
            TreeSet<String> queues = new TreeSet<>();
            TreeSet<Integer> prefetch = new TreeSet<>();
            consumers.forEach(consumer -> {
                queues.add(consumer.path("queue").path("name").asText());
                prefetch.add(consumer.path("prefetch_count").asInt());
            });
            JsonNode client = connection.path("client_properties");
            List<String> taskTypes = taskTypes(client);
            if (taskTypes.isEmpty() && queues.stream().noneMatch(queue -> OverviewApi.isWorkQueue(queue, queueNames))) {
                continue;
            }
            workers.add(new Worker(providedName(connection).orElse(brokerName), brokerName,
                    connection.path("user").asText(), connection.path("peer_host").asText(),
                    (client.path("product").asText("?") + " " + client.path("version").asText("")).strip(),
                    consumers.size(), List.copyOf(prefetch), unackedByConnection.getOrDefault(brokerName, 0L),
                    Instant.ofEpochMilli(connection.path("connected_at").asLong()).toString(), List.copyOf(queues),
                    taskTypes));
        }
        workers.sort((a, b) -> a.name().compareTo(b.name()));
        return workers;
    }

    /** The task types a Warren worker names in its connection's client properties; none for other clients. */
    private static List<String> taskTypes(JsonNode clientProperties) {
        String types = clientProperties.path(AmqpConnections.TASK_TYPES_PROPERTY).asText("");
        return types.isEmpty() ? List.of() : List.of(types.split(","));
    }

    private static Optional<String> providedName(JsonNode connection) {
        JsonNode name = connection.path("client_properties").path("connection_name");
        if (!name.isTextual()) {
            name = connection.path("user_provided_name");
        }
        return name.isTextual() ? Optional.of(name.asText()) : Optional.empty();
    }
}
