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
 * temp directory) or as {@code rabbitmq}; Linux only. Starting takes 6 to 9 s on an idle
 * machine (more under load; start nodes one after another rather than side by side on a small
 * machine); stopping takes about 8 s with the management plugin (it waits for its statistics
 * collector) and 3 to 4 s without; {@link #kill()} and {@link #close()} take well under a
 * second. Every wait has a timeout, a start that fails quickly is retried once, and failures
 * carry the node's crash dump slogan, first log errors and log tail.
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
    /** A node that fails in the foreground exits within seconds; one that starts there never does. */
    private static final Duration DIAGNOSIS_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final boolean management;
    private final List<String> configLines;
    private final String advancedConfig;

    /**
     * Name, ports and directory. A failed first start replaces them all (there is no data to keep
     * yet); a failed later start only the distribution port. Volatile for {@link #rabbitmqctl}
     * and the getters, which do not synchronize.
     */
    private volatile Setup setup;

    // Guarded by this: the lifecycle methods are synchronized.
    private boolean running;
    private boolean startedOnce;
    private boolean closed;
    private Thread shutdownHook;

    private PrivateRabbitNode(Builder builder) {
        this.management = builder.management;
        this.configLines = List.copyOf(builder.configLines);
        this.advancedConfig = builder.advancedConfig;
        this.setup = newSetup();
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
     * Lets a test that needs a private node go on only if the {@code rabbitmq-server} package is
     * installed; without it the test fails under CI and is skipped elsewhere, saying what to
     * install ({@link Requirements}). {@link Builder#build()} calls it.
     */
    public static void requireInstalled() {
        Requirements.require(isInstalled(), "a private RabbitMQ node from the rabbitmq-server package ("
                + RABBITMQ_SERVER + " and " + RABBITMQCTL + "), which is not installed: apt-get install rabbitmq-server");
    }

    /**
     * Starts the node and blocks until RabbitMQ and its plugins run (60 s at most). After
     * {@link #stop()} or {@link #kill()} it starts the same node again, with the same data and
     * AMQP and management ports.
     *
     * <p>A start that fails quickly (the node exits, say because another process took one of its
     * ports) is retried once: the first start of a node on a fresh name, ports and directory, so
     * read {@link #port()}, {@link #amqpUri()} and {@link #nodeName()} after it; a later start
     * with the same data and client ports and a fresh Erlang distribution port. A configuration
     * the node rejects and a start that times out are not retried.
     *
     * @throws IllegalStateException if the node is running or closed, or does not start; the
     *     message says why, with the node's crash dump slogan, first log errors and log tail, and
     *     a half-started node is killed
     */
    public synchronized void start() {
        requireOpen();
        if (running) {
            throw new IllegalStateException("node " + setup.nodeName() + " is already running");
        }
        registerShutdownHook();
        long began = System.nanoTime();
        try {
            attemptStart(false);
        } catch (StartFailure first) {
            if (!first.retryable) {
                throw first;
            }
            String failedNode = setup.nodeName();
            prepareRetry();
            log.warn("Private RabbitMQ node {} did not start ({}); retrying once as {} on AMQP port {}, "
                    + "distribution port {}", failedNode, first.summary, setup.nodeName(), setup.port(),
                    setup.distPort());
            try {
                attemptStart(true);
            } catch (StartFailure second) {
                second.addSuppressed(first);
                throw second;
            }
        }
        running = true;
        startedOnce = true;
        Setup started = setup;
        log.info("Private RabbitMQ node {} started in {} ms: AMQP port {}, management port {}, directory {}",
                started.nodeName(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), started.port(),
                management ? started.managementPort() : "none", started.directory().path());
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
        Setup current = setup;
        var stopped = rabbitmqctlResult(current, STOP_TIMEOUT, "stop", current.directory().pidFile().toString());
        if (stopped.exitCode() != 0) {
            throw new IllegalStateException("Private RabbitMQ node " + current.nodeName()
                    + ": rabbitmqctl stop exited with " + stopped.exitCode()
                    + "\n--- " + String.join(" ", stopped.command()) + " ---\n"
                    + ExternalCommand.excerpt(stopped.output())
                    + "\n--- " + current.directory().nodeLog() + " ---\n"
                    + ExternalCommand.tail(current.directory().nodeLog()));
        }
        running = false;
        log.info("Private RabbitMQ node {} stopped", current.nodeName());
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
        setup.processes().killAll(KILL_TIMEOUT);
        running = false;
        log.info("Private RabbitMQ node {} killed", setup.nodeName());
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
        Setup current = setup;
        var result = rabbitmqctlResult(current, COMMAND_TIMEOUT, args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("rabbitmqctl -n " + current.nodeName() + " " + String.join(" ", args)
                    + " exited with " + result.exitCode() + ":\n" + ExternalCommand.excerpt(result.output()));
        }
        return result.stdout();
    }

    /** {@code amqp://guest:guest@127.0.0.1:<port>/%2F}, the default vhost. */
    public String amqpUri() {
        return "amqp://guest:guest@127.0.0.1:" + setup.port() + "/%2F";
    }

    /** The AMQP port on {@code 127.0.0.1}; fixed once the first {@link #start()} returned. */
    public int port() {
        return setup.port();
    }

    /** The management plugin's HTTP port (reserved even when the plugin is off). */
    public int managementPort() {
        return setup.managementPort();
    }

    /** The Erlang node name, {@code wtest-<hex>@localhost}, as {@code rabbitmqctl -n} takes it. */
    public String nodeName() {
        return setup.nodeName();
    }

    /** The temp directory with the node's data, logs ({@code log/}), configuration and command output. */
    public Path directory() {
        return setup.directory().path();
    }

    /** The management API of this node, empty when the plugin is off. */
    public Optional<ManagementApi> management() {
        return management
                ? Optional.of(ManagementApi.withGuestLogin("http://127.0.0.1:" + setup.managementPort()))
                : Optional.empty();
    }

    /** This node as a {@link RabbitBroker}, with its management API when the plugin is on. */
    public RabbitBroker broker() {
        return RabbitBroker.of(amqpUri(), management().orElse(null));
    }

    /**
     * Kills the node's processes and deletes its temp directory. Its data goes with the
     * directory, so there is nothing to stop gracefully (that would take 4 to 9 s); clients see
     * their connections drop as after {@link #kill()}. Idempotent; the node cannot start again.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Setup current = setup;
        try {
            // Also catches a node that died or hung half-started.
            current.processes().killAll(KILL_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("Killing private RabbitMQ node {} failed", current.nodeName(), e);
        } finally {
            running = false;
            current.directory().delete();
            removeShutdownHook();
        }
    }

    @Override
    public String toString() {
        Setup current = setup;
        return "PrivateRabbitNode[" + current.nodeName() + ", port " + current.port() + "]";
    }

    /** A start that failed; {@link #retryable} if another attempt may succeed. */
    private static final class StartFailure extends IllegalStateException {

        private final boolean retryable;
        /** One line for the retry's log message. */
        private final String summary;

        StartFailure(String message, boolean retryable, String summary) {
            super(message);
            this.retryable = retryable;
            this.summary = summary;
        }
    }

    private record Setup(String nodeName, int port, int distPort, int managementPort, NodeDirectory directory,
            NodeProcesses processes) {
    }

    private Setup newSetup() {
        String nodeName = "wtest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "@localhost";
        int[] ports = FreePorts.distinct(3);
        var directory = NodeDirectory.create(nodeName, ports[0], ports[1], management ? ports[2] : 0, configLines,
                advancedConfig);
        return new Setup(nodeName, ports[0], ports[1], ports[2], directory, new NodeProcesses(nodeName));
    }

    /**
     * Fresh state for the one retry; the failed attempt's processes are dead. A node that never
     * started has no data and no client that knows its ports: it gets a new name, new ports and
     * a new directory. A node that did start keeps them and its data, but not its distribution
     * port, the port that a node binds first and that other Erlang VMs on the machine may take.
     */
    private void prepareRetry() {
        Setup failed = setup;
        if (!startedOnce) {
            failed.directory().delete();
            setup = newSetup();
        } else {
            int distPort = FreePorts.distinct(1)[0];
            setup = new Setup(failed.nodeName(), failed.port(), distPort, failed.managementPort(),
                    failed.directory().withDistPort(distPort), failed.processes());
        }
    }

    /**
     * One start: {@code rabbitmq-server -detached}, the pid file, then {@code rabbitmqctl wait}.
     * On failure kills what is left of the node, then reads its files for the reason.
     *
     * @param lastAttempt whether a failure is final, so that a foreground run may explain it
     * @throws StartFailure if the node does not start
     */
    private void attemptStart(boolean lastAttempt) {
        Setup current = setup;
        NodeDirectory directory = current.directory();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        try {
            // A killed node leaves its pid file behind, and `rabbitmqctl wait` would trust it; a
            // crash dump from before would be taken for this attempt's.
            Files.deleteIfExists(directory.pidFile());
            Files.deleteIfExists(directory.crashDump());
            var mark = NodeEvidence.mark(directory);
            var detached = ExternalCommand.runKeepingOutput(List.of(RABBITMQ_SERVER.toString(), "-detached"),
                    serverEnvironment(current), directory.path(), DETACH_TIMEOUT, directory.serverOutput());
            if (detached.exitCode() != 0) {
                throw failure(current, mark, "rabbitmq-server -detached exited with " + detached.exitCode(),
                        detached, true, false);
            }
            if (!awaitPidFile(current, mark, deadline)) {
                throw failure(current, mark, "node exited while starting, before writing its pid file", null,
                        true, lastAttempt);
            }
            // `wait` fails as soon as the node's OS process dies. (await_startup, by contrast,
            // fails at once for a node that epmd does not know yet, as just after -detached.)
            long secondsLeft = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
            var ready = rabbitmqctlResult(current, Duration.ofSeconds(secondsLeft + 30),
                    "wait", directory.pidFile().toString(), "--timeout", String.valueOf(secondsLeft));
            if (ready.exitCode() != 0) {
                boolean timedOut = System.nanoTime() >= deadline;
                throw failure(current, mark, timedOut ? "node did not start within " + STARTUP_TIMEOUT
                        : "node failed while starting", ready, !timedOut, false);
            }
        } catch (StartFailure e) {
            throw e;
        } catch (IOException e) {
            killAddingSuppressed(current, e);
            throw new UncheckedIOException("cannot start node " + current.nodeName(), e);
        } catch (RuntimeException e) {
            killAddingSuppressed(current, e);
            throw e;
        }
    }

    /**
     * Waits for the node to write its pid file.
     *
     * @return false if the node's processes are all gone first
     * @throws StartFailure if neither happens before the deadline
     */
    private boolean awaitPidFile(Setup current, NodeEvidence.Mark mark, long deadline) {
        NodeDirectory directory = current.directory();
        while (!Files.exists(directory.pidFile())) {
            // One empty listing is not enough: see NodeProcesses.
            if (current.processes().confirmedGone()) {
                return Files.exists(directory.pidFile());
            }
            if (System.nanoTime() > deadline) {
                throw failure(current, mark, "node wrote no pid file within " + STARTUP_TIMEOUT, null, false, false);
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while node " + current.nodeName() + " was starting", e);
            }
        }
        return true;
    }

    /**
     * Kills what is left of the attempt, then builds the exception from the node's own files. Runs
     * the node once in the foreground only if those files do not say why and no retry follows,
     * or if the node rejected its configuration: only the foreground run prints which line.
     */
    private StartFailure failure(Setup current, NodeEvidence.Mark mark, String what, ExternalCommand.Result result,
            boolean retryable, boolean diagnoseIfUnexplained) {
        var message = new StringBuilder("Private RabbitMQ node ").append(current.nodeName())
                .append(" (AMQP port ").append(current.port()).append(", distribution port ").append(current.distPort())
                .append(management ? ", management port " + current.managementPort() : "").append("): ").append(what);
        try {
            current.processes().killAll(KILL_TIMEOUT);
        } catch (RuntimeException e) {
            message.append(" (and killing it failed: ").append(e.getMessage()).append(')');
        }
        if (result != null) {
            message.append("\n--- ").append(String.join(" ", result.command())).append(" ---\n")
                    .append(ExternalCommand.excerpt(result.output()));
        }
        var evidence = NodeEvidence.collect(current.directory(), mark);
        message.append(evidence.describe());
        boolean configurationError = evidence.isConfigurationError();
        if (configurationError || (diagnoseIfUnexplained && !evidence.explainsFailure())) {
            var foreground = foregroundDiagnosis(current);
            message.append("\n--- the node run once more in the foreground: ")
                    .append(String.join(" ", foreground.command())).append(" ---\n")
                    .append(ExternalCommand.excerpt(foreground.output()));
            try {
                current.processes().killAll(KILL_TIMEOUT);
            } catch (RuntimeException e) {
                message.append("\n(killing the foreground run failed: ").append(e.getMessage()).append(')');
            }
        }
        if (evidence.isPortTaken()) {
            message.append("\n(another process took one of the node's ports)");
        }
        return new StartFailure(message.toString(), retryable && !configurationError, evidence.summary());
    }

    /** The node's environment plus the marker by which {@link NodeProcesses} finds its processes. */
    private static Map<String, String> serverEnvironment(Setup current) {
        var env = new LinkedHashMap<>(current.directory().environment());
        env.putAll(current.processes().marker());
        return env;
    }

    private static ExternalCommand.Result rabbitmqctlResult(Setup current, Duration timeout, String... args) {
        var command = new ArrayList<>(List.of(RABBITMQCTL.toString(), "-n", current.nodeName()));
        for (String arg : args) {
            if (arg.contains("$") || arg.contains("`") || arg.contains("\\")) {
                throw new IllegalArgumentException("rabbitmqctl argument must not contain $, ` or \\ "
                        + "(the rabbitmqctl wrapper passes it through a shell), was: " + arg);
            }
            command.add(arg);
        }
        return ExternalCommand.run(command, current.directory().environment(), current.directory().path(), timeout);
    }

    /**
     * Runs the node in the foreground, where it prints what -detached throws away; only once its
     * detached run is known dead (the two would fight over the name and the ports).
     */
    private static ExternalCommand.Result foregroundDiagnosis(Setup current) {
        try {
            return ExternalCommand.run(List.of(RABBITMQ_SERVER.toString()), serverEnvironment(current),
                    current.directory().path(), DIAGNOSIS_TIMEOUT);
        } catch (RuntimeException e) {
            return new ExternalCommand.Result(List.of(RABBITMQ_SERVER.toString()), -1, "", e.getMessage());
        }
    }

    private static void killAddingSuppressed(Setup current, Exception failure) {
        try {
            current.processes().killAll(KILL_TIMEOUT);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("node " + setup.nodeName() + " is closed");
        }
    }

    private void registerShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "close-" + setup.nodeName());
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
         * Names the node, picks its free ports and writes its directory; does not start it. If
         * the first {@link PrivateRabbitNode#start()} has to retry, the node gets a new name,
         * ports and directory. Close the node to delete the directory.
         *
         * <p>Without the {@code rabbitmq-server} package this skips the calling test, or fails it
         * under CI: see {@link PrivateRabbitNode#requireInstalled()}.
         */
        public PrivateRabbitNode build() {
            requireInstalled();
            return new PrivateRabbitNode(this);
        }
    }
}
