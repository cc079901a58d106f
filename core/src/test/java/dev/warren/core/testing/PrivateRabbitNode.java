package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RabbitMQ node of a test's own, started from the installed Debian {@code rabbitmq-server}
 * package in a temp directory on free ports, for fault tests (broker restart, crash, cut
 * connections) that must never touch the shared broker.
 *
 * <pre>{@code
 * try (var node = PrivateRabbitNode.builder().configLine("consumer_timeout = 5000").build()) {
 *     node.start();
 *     try (var connection = node.broker().connect("my-test")) { ... }
 *     node.restart();
 * }
 * }</pre>
 *
 * <p>The node is named {@code wtest-<hex>@localhost}, listens for AMQP on {@code 127.0.0.1},
 * has the user {@code guest/guest} and, by default, the management plugin. It reads only its
 * own {@code rabbitmq.conf} and {@code advanced.config}, never the shared broker's files in
 * {@code /etc/rabbitmq}. Nodes on one machine share the Erlang cookie, so
 * {@code rabbitmqctl("join_cluster", ...)} can build a local cluster.
 *
 * <p>Runs as root (the package's scripts switch to the {@code rabbitmq} user, who is given the
 * temp directory) or as {@code rabbitmq}; Linux only. Starting takes 6 to 9 s; stopping takes
 * about 5 s with the management plugin (it waits for its statistics collector) and 3 to 4 s
 * without. Every wait has a timeout, and failures carry the tail of the node's log.
 *
 * <p>Lifecycle methods are synchronized; {@link #rabbitmqctl} may run concurrently with them.
 * A started node that is never {@linkplain #close() closed} is closed when the JVM exits.
 */
public final class PrivateRabbitNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrivateRabbitNode.class);

    private static final Path RABBITMQ_SERVER = Path.of("/usr/sbin/rabbitmq-server");
    private static final Path RABBITMQCTL = Path.of("/usr/sbin/rabbitmqctl");
    private static final Duration DETACH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DIAGNOSIS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final String nodeName;
    private final int port;
    private final int managementPort;
    private final boolean management;
    private final NodeDirectory directory;
    private final NodeProcesses processes;

    // Guarded by this: the lifecycle methods are synchronized.
    private boolean running;
    private boolean closed;
    private Thread shutdownHook;

    private PrivateRabbitNode(Builder builder) {
        this.nodeName = "wtest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "@localhost";
        int[] ports = FreePorts.distinct(3);
        this.port = ports[0];
        this.managementPort = ports[2];
        this.management = builder.management;
        this.directory = NodeDirectory.create(nodeName, port, ports[1], management ? managementPort : 0,
                builder.configLines, builder.advancedConfig);
        this.processes = new NodeProcesses(nodeName);
    }

    /** Options for a node; {@link Builder#build()} prepares its directory without starting it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the {@code rabbitmq-server} package is installed, so that a node can start. */
    public static boolean isInstalled() {
        return Files.isExecutable(RABBITMQ_SERVER) && Files.isExecutable(RABBITMQCTL);
    }

    /**
     * Starts the node and blocks until RabbitMQ and its plugins run (60 s at most). After
     * {@link #stop()} or {@link #kill()} it starts the same node again, with the same data.
     *
     * @throws IllegalStateException if the node is running or closed, or does not start; the
     *     message says why, and a half-started node is killed
     */
    public synchronized void start() {
        requireOpen();
        if (running) {
            throw new IllegalStateException("node " + nodeName + " is already running");
        }
        registerShutdownHook();
        long started = System.nanoTime();
        long deadline = started + STARTUP_TIMEOUT.toNanos();
        try {
            // A killed node leaves its pid file behind, and `rabbitmqctl wait` would trust it.
            Files.deleteIfExists(directory.pidFile());
            var detached = ExternalCommand.runKeepingOutput(List.of(RABBITMQ_SERVER.toString(), "-detached"),
                    serverEnvironment(), directory.path(), DETACH_TIMEOUT, directory.serverOutput());
            if (detached.exitCode() != 0) {
                throw failure("rabbitmq-server -detached exited with " + detached.exitCode(), detached);
            }
            awaitPidFile(deadline);
            // `wait` fails as soon as the node's OS process dies. (await_startup, by contrast,
            // fails at once for a node that epmd does not know yet, as just after -detached.)
            long secondsLeft = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
            var ready = rabbitmqctlResult(Duration.ofSeconds(secondsLeft + 30),
                    "wait", directory.pidFile().toString(), "--timeout", String.valueOf(secondsLeft));
            if (ready.exitCode() != 0) {
                throw failure("node did not start within " + STARTUP_TIMEOUT, ready);
            }
        } catch (IOException e) {
            killAddingSuppressed(e);
            throw new UncheckedIOException("cannot start node " + nodeName, e);
        } catch (RuntimeException e) {
            killAddingSuppressed(e);
            throw e;
        }
        running = true;
        log.info("Private RabbitMQ node {} started in {} ms: AMQP port {}, management port {}, directory {}",
                nodeName, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), port,
                management ? managementPort : "none", directory.path());
    }

    /**
     * Stops the node gracefully ({@code rabbitmqctl stop}) and waits for its process to exit;
     * its data stays for the next {@link #start()}. Does nothing if the node is not running.
     *
     * @throws IllegalStateException if stopping fails; {@link #close()} then kills the process
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        var stopped = rabbitmqctlResult(STOP_TIMEOUT, "stop", directory.pidFile().toString());
        if (stopped.exitCode() != 0) {
            throw failure("rabbitmqctl stop exited with " + stopped.exitCode(), stopped);
        }
        running = false;
        log.info("Private RabbitMQ node {} stopped", nodeName);
    }

    /** {@link #stop()}, then {@link #start()}: the same node with the same data and ports. */
    public synchronized void restart() {
        stop();
        start();
    }

    /**
     * Kills the node's OS processes ({@code SIGKILL}), as a crash would: clients see their
     * connections drop without a {@code connection.close}. {@link #start()} recovers the durable
     * data. Does nothing if the node is not running.
     */
    public synchronized void kill() {
        if (!running) {
            return;
        }
        processes.killAll(KILL_TIMEOUT);
        running = false;
        log.info("Private RabbitMQ node {} killed", nodeName);
    }

    /**
     * Closes every client connection on the node, in every vhost, as an operator would with
     * {@code rabbitmqctl close_all_connections}; clients get a {@code connection.close}
     * ({@code CONNECTION_FORCED}) carrying the reason. Returns once the broker has been told,
     * not once clients have noticed.
     */
    public void closeAllConnections(String reason) {
        rabbitmqctl("close_all_connections", "--global", reason);
    }

    /**
     * Runs {@code rabbitmqctl -n <this node> args...} (60 s timeout), e.g.
     * {@code rabbitmqctl("list_queues", "name", "messages")}. Each call takes about half a
     * second, most of it the CLI's own start.
     *
     * @return its standard output
     * @throws IllegalStateException on a non-zero exit, with the command's output
     * @throws IllegalArgumentException if an argument holds {@code $}, a backtick or a backslash:
     *     the package's wrapper passes arguments through {@code su -c}, whose shell would expand them
     */
    public String rabbitmqctl(String... args) {
        var result = rabbitmqctlResult(COMMAND_TIMEOUT, args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("rabbitmqctl -n " + nodeName + " " + String.join(" ", args)
                    + " exited with " + result.exitCode() + ":\n" + ExternalCommand.excerpt(result.output()));
        }
        return result.stdout();
    }

    /** {@code amqp://guest:guest@127.0.0.1:<port>/%2F}, the default vhost. */
    public String amqpUri() {
        return "amqp://guest:guest@127.0.0.1:" + port + "/%2F";
    }

    /** The AMQP port on {@code 127.0.0.1}. */
    public int port() {
        return port;
    }

    /** The management plugin's HTTP port (reserved even when the plugin is off). */
    public int managementPort() {
        return managementPort;
    }

    /** The Erlang node name, {@code wtest-<hex>@localhost}, as {@code rabbitmqctl -n} takes it. */
    public String nodeName() {
        return nodeName;
    }

    /** The temp directory with the node's data, logs ({@code log/}), configuration and command output. */
    public Path directory() {
        return directory.path();
    }

    /** The management API of this node, empty when the plugin is off. */
    public Optional<ManagementApi> management() {
        return management
                ? Optional.of(ManagementApi.withGuestLogin("http://127.0.0.1:" + managementPort))
                : Optional.empty();
    }

    /** This node as a {@link RabbitBroker}, with its management API when the plugin is on. */
    public RabbitBroker broker() {
        return RabbitBroker.of(amqpUri(), management().orElse(null));
    }

    /**
     * Stops the node, kills its processes if stopping fails or hangs, and deletes its temp
     * directory. Idempotent; the node cannot start again.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } catch (RuntimeException e) {
            log.warn("Stopping private RabbitMQ node {} failed; killing it", nodeName, e);
        } finally {
            // Also catches a node that died or hung half-started.
            processes.killAll(KILL_TIMEOUT);
            running = false;
            directory.delete();
            removeShutdownHook();
        }
    }

    @Override
    public String toString() {
        return "PrivateRabbitNode[" + nodeName + ", port " + port + "]";
    }

    /** The node's environment plus the marker by which {@link NodeProcesses} finds its processes. */
    private Map<String, String> serverEnvironment() {
        var env = new LinkedHashMap<>(directory.environment());
        env.putAll(processes.marker());
        return env;
    }

    private ExternalCommand.Result rabbitmqctlResult(Duration timeout, String... args) {
        var command = new ArrayList<>(List.of(RABBITMQCTL.toString(), "-n", nodeName));
        for (String arg : args) {
            if (arg.contains("$") || arg.contains("`") || arg.contains("\\")) {
                throw new IllegalArgumentException("rabbitmqctl argument must not contain $, ` or \\ "
                        + "(the rabbitmqctl wrapper passes it through a shell), was: " + arg);
            }
            command.add(arg);
        }
        return ExternalCommand.run(command, directory.environment(), directory.path(), timeout);
    }

    /**
     * Waits for the node to write its pid file. A node that dies before that (a bad config line,
     * say) writes no log, and -detached threw its output away, so it is run once more in the
     * foreground to show why.
     */
    private void awaitPidFile(long deadline) {
        while (!Files.exists(directory.pidFile())) {
            if (processes.list().isEmpty()) {
                throw failure("node exited while starting; running it in the foreground says",
                        foregroundDiagnosis());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Private RabbitMQ node " + nodeName + " wrote no pid file within "
                        + STARTUP_TIMEOUT + "\n--- " + directory.serverOutput() + " ---\n"
                        + ExternalCommand.tail(directory.serverOutput()));
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while node " + nodeName + " was starting", e);
            }
        }
    }

    private ExternalCommand.Result foregroundDiagnosis() {
        try {
            return ExternalCommand.run(List.of(RABBITMQ_SERVER.toString()), serverEnvironment(), directory.path(),
                    DIAGNOSIS_TIMEOUT);
        } catch (RuntimeException e) {
            return new ExternalCommand.Result(List.of(RABBITMQ_SERVER.toString()), -1, "", e.getMessage());
        }
    }

    private IllegalStateException failure(String what, ExternalCommand.Result result) {
        return new IllegalStateException("Private RabbitMQ node " + nodeName + ": " + what + "\n--- "
                + String.join(" ", result.command()) + " ---\n" + ExternalCommand.excerpt(result.output())
                + "\n--- " + directory.nodeLog() + " ---\n" + ExternalCommand.tail(directory.nodeLog()));
    }

    private void killAddingSuppressed(Exception failure) {
        try {
            processes.killAll(KILL_TIMEOUT);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("node " + nodeName + " is closed");
        }
    }

    private void registerShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "close-" + nodeName);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook == null || Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook will find the node closed.
        }
    }

    /**
     * Options for a {@link PrivateRabbitNode}: the management plugin (on by default), lines for
     * its {@code rabbitmq.conf} and the content of its {@code advanced.config}.
     */
    public static final class Builder {

        private boolean management = true;
        private final List<String> configLines = new ArrayList<>();
        private String advancedConfig;

        private Builder() {
        }

        /** Whether to enable the management plugin; default true. */
        public Builder management(boolean enabled) {
            this.management = enabled;
            return this;
        }

        /**
         * Adds one line to the node's {@code rabbitmq.conf}, e.g. {@code consumer_timeout = 5000}.
         * The broker checks some settings, {@code consumer_timeout} among them, only on the
         * channel tick (60 s by default): shorten it with {@link #advancedConfig}.
         */
        public Builder configLine(String line) {
            if (line == null || line.isBlank() || line.contains("\n")) {
                throw new IllegalArgumentException("rabbitmq.conf line must be one non-blank line, was: " + line);
            }
            configLines.add(line);
            return this;
        }

        /**
         * Sets the node's {@code advanced.config}: Erlang terms ending with a dot, e.g.
         * {@code [{rabbit, [{channel_tick_interval, 1000}]}].}
         */
        public Builder advancedConfig(String erlangTerms) {
            if (erlangTerms == null || !erlangTerms.strip().endsWith(".")) {
                throw new IllegalArgumentException("advanced.config must be Erlang terms ending with '.', was: "
                        + erlangTerms);
            }
            this.advancedConfig = erlangTerms.strip();
            return this;
        }

        /**
         * Names the node, picks its free ports and writes its directory; does not start it.
         * Close the node to delete the directory.
         */
        public PrivateRabbitNode build() {
            return new PrivateRabbitNode(this);
        }
    }
}
