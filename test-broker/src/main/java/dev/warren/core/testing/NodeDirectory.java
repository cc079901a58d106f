package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temp directory of a private node (its configuration, data, logs and command output) and
 * the environment ({@code RABBITMQ_*} variables) that points the package's scripts at it, as
 * bin/demo does for its private node.
 */
final class NodeDirectory {

    private static final Logger log = LoggerFactory.getLogger(NodeDirectory.class);

    private final Path path;
    private final String nodeName;
    private final Map<String, String> environment;

    private NodeDirectory(Path path, String nodeName, Map<String, String> environment) {
        this.path = path;
        this.nodeName = nodeName;
        this.environment = environment;
    }

    /**
     * Creates the directory, writes the configuration files and hands it all to the
     * {@code rabbitmq} user, whom the package's scripts switch to.
     *
     * @param managementPort the management plugin's port, or 0 to leave the plugin off
     * @param advancedConfig content of {@code advanced.config}, or null for none
     */
    static NodeDirectory create(String nodeName, int port, int distPort, int managementPort,
            List<String> configLines, String advancedConfig) {
        Path path;
        try {
            path = Files.createTempDirectory("warren-rabbit-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for node " + nodeName, e);
        }
        var env = new LinkedHashMap<String, String>();
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(port));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_MNESIA_BASE", path.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", path.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", path.resolve("pid").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", path.resolve("enabled_plugins").toString());
        // Always a config file of our own: the default, /etc/rabbitmq/rabbitmq.conf, is the shared
        // broker's and may pin listeners to its ports (the node then fails with eaddrinuse).
        env.put("RABBITMQ_CONFIG_FILE", path.resolve("rabbitmq").toString());
        // Likewise away from /etc/rabbitmq/advanced.config, even when this node has none.
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", path.resolve("advanced.config").toString());
        if (managementPort != 0) {
            env.put("RABBITMQ_SERVER_START_ARGS", "-rabbitmq_management tcp_config [{port," + managementPort + "}]");
        }
        // The scripts run in /var/lib/rabbitmq, the shared broker's home: keep crash dumps out of
        // it. (The script splits these arguments on spaces; temp directory paths have none.)
        env.put("ERL_CRASH_DUMP", path.resolve("erl_crash.dump").toString());
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-mnesia core_dir \"" + path + "\"");
        var directory = new NodeDirectory(path, nodeName, Map.copyOf(env));
        try {
            Files.writeString(path.resolve("enabled_plugins"), managementPort != 0 ? "[rabbitmq_management].\n" : "[].\n");
            Files.writeString(path.resolve("rabbitmq.conf"), String.join("\n", configLines) + "\n");
            if (advancedConfig != null) {
                Files.writeString(path.resolve("advanced.config"), advancedConfig + "\n");
            }
            directory.giveToRabbitmqUser();
            return directory;
        } catch (IOException | RuntimeException e) {
            directory.delete();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot prepare " + path + " for node " + nodeName, io);
            }
            throw (RuntimeException) e;
        }
    }

    Path path() {
        return path;
    }

    /** The environment for the package's scripts. */
    Map<String, String> environment() {
        return environment;
    }

    Path pidFile() {
        return path.resolve("pid");
    }

    /** What {@code rabbitmq-server -detached} and the node's VM print; usually nothing. */
    Path serverOutput() {
        return path.resolve("server.out");
    }

    /** The node's own log, in {@code RABBITMQ_LOG_BASE}; the VM writes it once RabbitMQ's logging is set up. */
    Path nodeLog() {
        return path.resolve("log").resolve(nodeName + ".log");
    }

    /**
     * Where the Erlang VM writes its crash dump ({@code ERL_CRASH_DUMP}). A node that dies before
     * its logging is set up (in the prelaunch phase: a taken distribution port, a bad config line)
     * leaves only this, and its {@code Slogan:} line says why.
     */
    Path crashDump() {
        return path.resolve("erl_crash.dump");
    }

    /** This directory with the node's Erlang distribution on another port. */
    NodeDirectory withDistPort(int distPort) {
        var env = new LinkedHashMap<>(environment);
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        return new NodeDirectory(path, nodeName, Map.copyOf(env));
    }

    /** Deletes everything; the node must be stopped. Logs instead of failing: it is only /tmp. */
    void delete() {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("Cannot delete the directory {} of private RabbitMQ node {}", path, nodeName, e);
        }
    }

    private void giveToRabbitmqUser() {
        String user = System.getProperty("user.name");
        if ("rabbitmq".equals(user)) {
            return;
        }
        if (!"root".equals(user)) {
            throw new IllegalStateException("a private RabbitMQ node needs to run as root or rabbitmq: the "
                    + "rabbitmq-server package's scripts refuse other users; running as " + user);
        }
        var chown = ExternalCommand.run(List.of("chown", "-R", "rabbitmq:", path.toString()), Map.of(), path,
                Duration.ofSeconds(30));
        if (chown.exitCode() != 0) {
            throw new IllegalStateException("cannot give " + path + " to the rabbitmq user: " + chown.output());
        }
    }
}
