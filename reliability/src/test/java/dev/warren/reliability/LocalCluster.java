package dev.warren.reliability;

import dev.warren.core.testing.PrivateRabbitNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RabbitMQ cluster on this machine: private nodes (separate names, ports and directories, no
 * management plugin) joined with {@code rabbitmqctl join_cluster}, for node-loss scenarios. Nodes
 * on one machine share the Erlang cookie, which is all {@code join_cluster} needs.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(3)) {
 *     // clients get cluster.addresses(): "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
 *     PrivateRabbitNode leader = cluster.leaderOf("q");
 *     leader.stop();
 * }
 * }</pre>
 *
 * <p>Starting takes 30 to 60 s on a small machine (the nodes start one after another, then each
 * joins the first with a {@code stop_app}/{@code start_app}): one cluster per test class.
 * Queries ask any running node. Not thread-safe; one test thread drives it.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    /** A line of {@code list_connections port client_properties}: the node's port, then the client's name. */
    private static final Pattern CONNECTION = Pattern.compile("^(\\d+)\\s.*\"connection_name\",\"([^\"]*)\"");

    private final List<PrivateRabbitNode> nodes;

    private LocalCluster(List<PrivateRabbitNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Starts {@code size} nodes and joins the others to the first. Without the
     * {@code rabbitmq-server} package it skips the test, or fails it under CI (through
     * {@link FaultHarness#startNode}).
     *
     * @throws IllegalStateException if a node does not start or join; the started ones are closed
     */
    public static LocalCluster start(int size) {
        long began = System.nanoTime();
        List<PrivateRabbitNode> started = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                started.add(FaultHarness.startNode());
            }
            String first = started.get(0).nodeName();
            for (PrivateRabbitNode node : started.subList(1, size)) {
                node.rabbitmqctl("stop_app");
                node.rabbitmqctl("join_cluster", first);
                node.rabbitmqctl("start_app");
            }
            LocalCluster cluster = new LocalCluster(started);
            String status = started.get(0).rabbitmqctl("cluster_status", "--formatter", "json");
            for (PrivateRabbitNode node : started) {
                if (!status.contains("\"" + node.nodeName() + "\"")) {
                    throw new IllegalStateException(node.nodeName() + " is not in the cluster: " + status);
                }
            }
            log.info("Cluster of {} nodes ({}) formed in {} ms", size, cluster.addresses(),
                    (System.nanoTime() - began) / 1_000_000);
            return cluster;
        } catch (RuntimeException e) {
            started.forEach(PrivateRabbitNode::close);
            throw e;
        }
    }

    /** The nodes, the first one the node the others joined. */
    public List<PrivateRabbitNode> nodes() {
        return nodes;
    }

    /** {@code 127.0.0.1:<port>,...} of every node, for {@code --addresses}. */
    public String addresses() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    /** The node that leads quorum queue {@code queue} (vhost {@code /}) right now, asked of {@code via}. */
    public Optional<PrivateRabbitNode> leaderOf(String queue, PrivateRabbitNode via) {
        for (String line : via.rabbitmqctl("list_queues", "-q", "--no-table-headers", "name", "leader").split("\n")) {
            String[] columns = line.strip().split("\\s+");
            if (columns.length == 2 && columns[0].equals(queue)) {
                return byName(columns[1]);
            }
        }
        return Optional.empty();
    }

    /** The node whose AMQP port is {@code port}, e.g. a {@link ClientConnection#port()}. */
    public Optional<PrivateRabbitNode> nodeAt(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst();
    }

    /** Every client connection of the cluster: its name and the AMQP port of its node, asked of {@code via}. */
    public List<ClientConnection> connections(PrivateRabbitNode via) {
        List<ClientConnection> result = new ArrayList<>();
        for (String line : via.rabbitmqctl("list_connections", "-q", "--no-table-headers", "port", "client_properties")
                .split("\n")) {
            Matcher m = CONNECTION.matcher(line.strip());
            if (m.find()) {
                result.add(new ClientConnection(m.group(2), Integer.parseInt(m.group(1))));
            }
        }
        return result;
    }

    /**
     * Makes {@code to} the leader of quorum queue {@code queue} (vhost {@code /}), as
     * maintenance mode does before a node is drained; returns once the broker moved it.
     */
    public void transferLeadership(String queue, PrivateRabbitNode to, PrivateRabbitNode via) {
        // rabbitmqctl passes its arguments through "su -c": no $, backticks or backslashes in them.
        String result = via.rabbitmqctl("eval", "{ok, Q} = rabbit_amqqueue:lookup(rabbit_misc:r(<<\"/\">>, queue, <<\""
                + queue + "\">>)), rabbit_quorum_queue:transfer_leadership(Q, list_to_atom(\"" + to.nodeName()
                + "\")).");
        if (!result.contains(to.nodeName())) {
            throw new IllegalStateException("leadership of " + queue + " did not move to " + to.nodeName() + ": "
                    + result);
        }
    }

    private Optional<PrivateRabbitNode> byName(String nodeName) {
        return nodes.stream().filter(n -> n.nodeName().equals(nodeName)).findFirst();
    }

    /** Kills every node and deletes its directory. */
    @Override
    public void close() {
        nodes.forEach(PrivateRabbitNode::close);
    }

    @Override
    public String toString() {
        return "LocalCluster[" + nodes.stream().map(n -> n.nodeName() + ":" + n.port())
                .collect(Collectors.joining(", ")) + "]";
    }

    /**
     * A client connection as the broker lists it.
     *
     * @param name the client-provided connection name
     * @param port the AMQP port of the node it is connected to
     */
    public record ClientConnection(String name, int port) {
    }
}
