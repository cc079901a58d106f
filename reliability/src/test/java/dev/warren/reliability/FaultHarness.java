package dev.warren.reliability;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.testing.PrivateRabbitNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * What every fault scenario shares: private broker nodes (never the shared broker on 5672),
 * worker-app flags, queue depths, and the report line each scenario prints with its counts.
 *
 * <p>Scenarios run real worker-app processes ({@link WorkerFleet}) and a load with results
 * ({@link LoadDriver} for the real {@code producer-app load}, {@link TrackedLoad} where the load's
 * own connection is taken away), inject their fault while the load runs, and assert: every
 * task answered, zero lost, duplicates counted. Each prints one line tagged {@code FAULT-SCENARIO}
 * and appends it to {@code target/fault-scenarios.txt} (docs/reliability.md, "Failure matrix").
 *
 * <p>Thread-safe; its one state is the {@linkplain #sharedNode() shared node}.
 */
public final class FaultHarness {

    /** JUnit tag of every fault scenario: {@code ./mvnw -pl reliability test -Dgroups=fault}. */
    public static final String TAG = "fault";
    private static final Path REPORT = Path.of("target", "fault-scenarios.txt");
    /** Guarded by the class: see {@link #sharedNode()}. */
    private static PrivateRabbitNode shared;

    private FaultHarness() {
    }

    /**
     * Builds and starts a private node. Without the {@code rabbitmq-server} package the test is
     * skipped with a message saying so, or fails under CI ({@link PrivateRabbitNode#requireInstalled()}).
     * The management plugin is off unless asked for: a node without it stops in 3 to 4 s instead
     * of about 8.
     */
    public static PrivateRabbitNode startNode(PrivateRabbitNode.Builder builder) {
        PrivateRabbitNode node = builder.build();
        try {
            node.start();
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /**
     * One default node (no management plugin) shared by the scenarios of every test class in
     * this JVM that can share it, started on first use and closed when the JVM exits; a node
     * start costs 6 to 13 s. A scenario may stop, restart or block it, but must leave it running
     * and unblocked, with its own uniquely named queues; if the node is found stopped (a scenario
     * failed mid-restart), it is started again here.
     */
    public static synchronized PrivateRabbitNode sharedNode() {
        if (shared == null) {
            shared = startNode();
        } else if (!accepts(shared)) {
            shared.start();
        }
        return shared;
    }

    private static boolean accepts(PrivateRabbitNode node) {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@link #startNode(PrivateRabbitNode.Builder)} with the defaults and no management plugin. */
    public static PrivateRabbitNode startNode() {
        return startNode(PrivateRabbitNode.builder().management(false));
    }

    /**
     * The worker-app flags of a fault scenario: the demo task types (the loads send {@code sleep}
     * and {@code noop}), the node's URI, the queue, a short heartbeat and
     * startup timeout, a fast retry ladder ({@code 100ms}, 10 attempts, so a task counted as
     * retried by a redelivery still completes quickly), then {@code extra}.
     */
    public static List<String> workerArgs(String amqpUri, String queue, String... extra) {
        List<String> args = new ArrayList<>(List.of("--demo", "--uri", amqpUri, "--queue", queue,
                "--heartbeat", "5s", "--startup-timeout", "60s",
                "--retry-delays", "100ms", "--retry-max-attempts", "10"));
        args.addAll(List.of(extra));
        return args;
    }

    /** Messages ready in {@code queue} on the node (0 if it does not exist). */
    public static long queueDepth(PrivateRabbitNode node, String queue) {
        try (Connection connection = node.broker().connect("fault-harness-depth")) {
            Channel channel = connection.createChannel();
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException e) {
            return 0;
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot connect to " + node, e);
        }
    }

    /** Sleeps; fault scenarios pace their faults on the clock of a running load, not on conditions. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Prints the scenario's counts as one line tagged {@code FAULT-SCENARIO} and appends it to
     * {@code target/fault-scenarios.txt}.
     */
    public static void report(String scenario, String counts) {
        String line = "FAULT-SCENARIO " + Instant.now() + " | " + scenario + " | " + counts;
        System.out.println(line);
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + REPORT, e);
        }
    }
}
