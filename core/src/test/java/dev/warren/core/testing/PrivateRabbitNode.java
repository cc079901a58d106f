package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
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
 * has user {@code guest/guest} and, by default, the management plugin. It reads only its own
 * {@code rabbitmq.conf} and {@code advanced.config}, never the shared broker's files in
 * {@code /etc/rabbitmq}. Nodes on one machine share the Erlang cookie, so
 * {@code rabbitmqctl("join_cluster", ...)} can build a local cluster.
 *
 * <p>Must run as root (the package's wrapper scripts switch to the {@code rabbitmq} user, which
 * owns the temp directory) or as {@code rabbitmq}. Starting takes about 8 s; stopping takes
 * about 5 s with the management plugin (it waits for its statistics collector) and under a
 * second without. Every wait has a timeout, and failures include the tail of the node's log.
 *
 * <p>Lifecycle methods are synchronized; {@link #rabbitmqctl} may run concurrently with them.
 * A started node is stopped when the JVM exits if {@link #close()} was never called.
 */
public final class PrivateRabbitNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrivateRabbitNode.class);

    private static final Path RABBITMQ_SERVER = Path.of("/usr/sbin/rabbitmq-server");
    private static final Path RABBITMQCTL = Path.of("/usr/sbin/rabbitmqctl");
    private static final Duration DETACH_TIMEOUT = Duration.ofSeconds(30);
    private static final int STARTUP_TIMEOUT_SECONDS = 60;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    // rabbitmqctl's own Erlang distribution listens in 35672-35682; keep node ports out of it.
    private static final int CLI_DIST_PORT_MIN = 35672;
    private static final int CLI_DIST_PORT_MAX = 35682;

    private final String nodeName;
    private final int port;
    private final int distPort;
    private final int managementPort;
    private final boolean management;
    private final Path directory;
    private final Map<String, String> environment;

    // Guarded by this: the lifecycle methods are synchronized.
    private boolean running;
    private boolean closed;
    private Thread shutdownHook;

    private PrivateRabbitNode(Builder builder) {
        this.nodeName = "wtest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "@localhost";
        int[] ports = freePorts(3);
        this.port = ports[0];
        this.distPort = ports[1];
        this.managementPort = ports[2];
        this.management = builder.management;
        try {
            this.directory = Files.createTempDirectory("warren-rabbit-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp directory for node " + nodeName, e);
        }
        try {
            this.environment = writeFiles(builder);
            ownByRabbitmqUser();
        } catch (IOException | RuntimeException e) {
            deleteDirectory();
            throw e instanceof IOException io
                    ? new UncheckedIOException("cannot prepare " + directory + " for node " + nodeName, io)
                    : (RuntimeException) e;
        }
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
     *     message includes the tail of the node's log and a half-started node is killed
     */
    public synchronized void start() {
        requireOpen();
        if (running) {
            throw new IllegalStateException("node " + nodeName + " is already running");
        }
        registerShutdownHook();
        long started = System.nanoTime();
        try {
            // A killed node leaves its pid file behind, and `rabbitmqctl wait` would trust it.
            Files.deleteIfExists(pidFile());
            var detached = ExternalCommand.run(List.of(RABBITMQ_SERVER.toString(), "-detached"),
                    environment, directory, DETACH_TIMEOUT);
            if (detached.exitCode() != 0) {
                throw failure("rabbitmq-server -detached exited with " + detached.exitCode(), detached);
            }
            // -detached returns at once; `wait <pid file>` bridges the gap until the node registers
            // with epmd (await_startup fails at once for a node epmd does not know yet).
            var ready = rabbitmqctlResult(Duration.ofSeconds(STARTUP_TIMEOUT_SECONDS + 30),
                    "wait", pidFile().toString(), "--timeout", String.valueOf(STARTUP_TIMEOUT_SECONDS));
            if (ready.exitCode() != 0) {
                throw failure("node did not start within " + STARTUP_TIMEOUT_SECONDS + " s", ready);
            }
        } catch (IOException e) {
            killOrAddSuppressed(e);
            throw new UncheckedIOException("cannot start node " + nodeName, e);
        } catch (RuntimeException e) {
            killOrAddSuppressed(e);
            throw e;
        }
        running = true;
        log.info("Private RabbitMQ node {} started in {} ms: AMQP port {}, management port {}, directory {}",
                nodeName, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), port,
                management ? managementPort : "none", directory);
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
        var stopped = rabbitmqctlResult(STOP_TIMEOUT, "stop", pidFile().toString());
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
     * Kills the node's OS process ({@code SIGKILL}), as a crash would: clients see their
     * connections drop without a {@code connection.close}. {@link #start()} recovers its data.
     * Does nothing if the node is not running.
     */
    public synchronized void kill() {
        if (!running) {
            return;
        }
        killProcess();
        running = false;
        log.info("Private RabbitMQ node {} killed", nodeName);
    }

    /**
     * Closes every client connection on the node, in every vhost, as an operator would with
     * {@code rabbitmqctl close_all_connections}; clients get a {@code connection.close} carrying
     * the reason. Returns once the broker has been told, not once clients have noticed.
     */
    public void closeAllConnections(String reason) {
        rabbitmqctl("close_all_connections", "--global", reason);
    }

    /**
     * Runs {@code rabbitmqctl -n <this node> args...} (60 s timeout), e.g.
     * {@code rabbitmqctl("list_queues", "name", "messages")}.
     *
     * @return its standard output
     * @throws IllegalStateException on a non-zero exit, with the command's output
     * @throws IllegalArgumentException if an argument holds {@code $}, a backtick or a backslash:
     *     the package's wrapper runs the command through {@code su -c}, whose shell would expand them
     */
    public String rabbitmqctl(String... args) {
        var result = rabbitmqctlResult(COMMAND_TIMEOUT, args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("rabbitmqctl -n " + nodeName + " " + String.join(" ", args)
                    + " exited with " + result.exitCode() + ":\n" + ExternalCommand.tail(result.output()));
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

    /** The management plugin's HTTP port, chosen even when the plugin is disabled. */
    public int managementPort() {
        return managementPort;
    }

    /** The Erlang node name, {@code wtest-<hex>@localhost}, for {@code rabbitmqctl -n}. */
    public String nodeName() {
        return nodeName;
    }

    /** The temp directory holding the node's data, logs, configuration and command output. */
    public Path directory() {
        return directory;
    }

    /** The management API of this node, empty when the plugin is disabled. */
    public Optional<ManagementApi> management() {
        return management
                ? Optional.of(ManagementApi.withGuestLogin("http://127.0.0.1:" + managementPort))
                : Optional.empty();
    }

    /** This node as a {@link RabbitBroker}, with its management API when enabled. */
    public RabbitBroker broker() {
        return RabbitBroker.of(amqpUri(), management().orElse(null));
    }

    /**
     * Stops the node (killing its process if stopping fails or hangs) and deletes its temp
     * directory. Idempotent.
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
            killProcess();
            running = false;
            deleteDirectory();
            removeShutdownHook();
        }
    }

    @Override
    public String toString() {
        return "PrivateRabbitNode[" + nodeName + ", port " + port + "]";
    }

    private Map<String, String> writeFiles(Builder builder) throws IOException {
        Files.writeString(directory.resolve("enabled_plugins"), management ? "[rabbitmq_management].\n" : "[].\n");
        // Always our own rabbitmq.conf: the default /etc/rabbitmq/rabbitmq.conf belongs to the
        // shared broker and may pin listeners to its ports (then this node fails with eaddrinuse).
        Files.writeString(directory.resolve("rabbitmq.conf"), String.join("\n", builder.configLines) + "\n");
        var env = new LinkedHashMap<String, String>();
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(port));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", pidFile().toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq").toString());
        // Points away from /etc/rabbitmq/advanced.config even when there is no advanced config.
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString());
        if (builder.advancedConfig != null) {
            Files.writeString(directory.resolve("advanced.config"), builder.advancedConfig + "\n");
        }
        if (management) {
            env.put("RABBITMQ_SERVER_START_ARGS", "-rabbitmq_management tcp_config [{port," + managementPort + "}]");
        }
        return Map.copyOf(env);
    }

    private void ownByRabbitmqUser() {
        String user = System.getProperty("user.name");
        if ("rabbitmq".equals(user)) {
            return;
        }
        if (!"root".equals(user)) {
            throw new IllegalStateException("a private RabbitMQ node needs root or the rabbitmq user, "
                    + "because the rabbitmq-server package's scripts refuse other users; running as " + user);
        }
        var chown = ExternalCommand.run(List.of("chown", "-R", "rabbitmq:", directory.toString()),
                Map.of(), directory, COMMAND_TIMEOUT);
        if (chown.exitCode() != 0) {
            throw new IllegalStateException("cannot give " + directory + " to the rabbitmq user: " + chown.output());
        }
    }

    private ExternalCommand.Result rabbitmqctlResult(Duration timeout, String... args) {
        var command = new ArrayList<String>(List.of(RABBITMQCTL.toString(), "-n", nodeName));
        for (String arg : args) {
            if (arg.contains("$") || arg.contains("`") || arg.contains("\\")) {
                throw new IllegalArgumentException("rabbitmqctl argument must not contain $, ` or \\ "
                        + "(the rabbitmqctl wrapper passes it through a shell), was: " + arg);
            }
            command.add(arg);
        }
        return ExternalCommand.run(command, environment, directory, timeout);
    }

    private IllegalStateException failure(String what, ExternalCommand.Result result) {
        Path nodeLog = directory.resolve("log").resolve(nodeName + ".log");
        return new IllegalStateException("Private RabbitMQ node " + nodeName + ": " + what + "\n--- "
                + String.join(" ", result.command()) + " ---\n" + ExternalCommand.tail(result.output())
                + "\n--- " + nodeLog + " ---\n" + ExternalCommand.tail(nodeLog));
    }

    private Path pidFile() {
        return directory.resolve("pid");
    }

    private void killOrAddSuppressed(Exception failure) {
        try {
            killProcess();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** SIGKILLs the Erlang VM named in the pid file, if it is alive and really this node's. */
    private void killProcess() {
        Optional<ProcessHandle> process = readPid().flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                // The pid may be stale and reused: only kill a process started for this node.
                .filter(p -> p.info().commandLine().map(line -> line.contains(nodeName)).orElse(false));
        if (process.isEmpty()) {
            return;
        }
        process.get().destroyForcibly();
        try {
            process.get().onExit().get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("node " + nodeName + " (pid " + process.get().pid()
                    + ") did not exit within " + KILL_TIMEOUT + " of SIGKILL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing node " + nodeName, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot wait for node " + nodeName + " to exit", e);
        }
    }

    private Optional<Long> readPid() {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile()).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("Cannot delete the directory {} of private RabbitMQ node {}", directory, nodeName, e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("node " + nodeName + " is closed");
        }
    }

    private void registerShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "stop-" + nodeName);
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

    /** Distinct free TCP ports, outside rabbitmqctl's own distribution port range. */
    private static int[] freePorts(int count) {
        var sockets = new ArrayList<ServerSocket>();
        var ports = new int[count];
        try {
            int found = 0;
            // Sockets stay open until all ports are found, so the kernel hands out distinct ones.
            while (found < count) {
                var socket = new ServerSocket(0);
                sockets.add(socket);
                int candidate = socket.getLocalPort();
                if (candidate < CLI_DIST_PORT_MIN || candidate > CLI_DIST_PORT_MAX) {
                    ports[found++] = candidate;
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports for a private RabbitMQ node", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Nothing listens on it any more either way.
                }
            }
        }
    }

    /**
     * Options for a {@link PrivateRabbitNode}: the management plugin (on by default), lines
     * for its {@code rabbitmq.conf} and the content of its {@code advanced.config}.
     */
    public static final class Builder {

        private boolean management = true;
        private final List<String> configLines = new ArrayList<>();
        private String advancedConfig;

        private Builder() {
        }

        /** Whether to enable the management plugin (default true). */
        public Builder management(boolean enabled) {
            this.management = enabled;
            return this;
        }

        /**
         * Adds one line to the node's {@code rabbitmq.conf}, e.g. {@code consumer_timeout = 5000}.
         * Settings that only apply on the channel tick also need a short
         * {@code channel_tick_interval} in {@link #advancedConfig}.
         */
        public Builder configLine(String line) {
            if (line == null || line.isBlank() || line.contains("\n")) {
                throw new IllegalArgumentException("rabbitmq.conf line must be one non-blank line, was: " + line);
            }
            configLines.add(line);
            return this;
        }

        /**
         * Sets the node's {@code advanced.config}, Erlang terms ending with a dot, e.g.
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
         * Chooses the node's name and free ports and writes its directory; does not start it.
         * Close the node to delete the directory.
         */
        public PrivateRabbitNode build() {
            return new PrivateRabbitNode(this);
        }
    }
}
