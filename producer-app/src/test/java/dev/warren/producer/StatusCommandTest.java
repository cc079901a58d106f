package dev.warren.producer;

import static dev.warren.core.testing.LeastPrivilegeNode.DLQ_TOOLS;
import static dev.warren.core.testing.LeastPrivilegeNode.VHOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.testing.LeastPrivilegeNode;
import dev.warren.core.testing.PrivateRabbitNode;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.TestQueues;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code producer-app status} when a passive declare does not simply answer: only a queue the
 * broker reports as missing (404) "does not exist"; a refused user, a queue it will not show and a
 * broker that goes away are each named for what they are, with the exit codes of the README.
 */
class StatusCommandTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();

    /** What one run returned and printed. */
    record Run(int exitCode, String out, String err) {
    }

    @Test
    void aMissingQueueDoesNotExistAndTheStatusStillSucceeds() throws Exception {
        String queue = queues.unique("status-missing");

        Run run = run(ExitCodes.commandLine(new ProducerApp()), "status", "--uri", broker.amqpUri(), "--queue", queue);

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
        assertThat(run.out().lines().toList())
                .containsExactly(queue + ": does not exist", queue + ".dlq: does not exist");
    }

    @Test
    void aQueueExclusiveToAnotherConnectionIsReportedAsLockedNotMissing() throws Exception {
        String queue = queues.unique("status-exclusive");
        try (Connection owner = broker.connect("warren-test-status-exclusive")) {
            Channel channel = owner.createChannel();
            channel.queueDeclare(queue, false, true, true, null);

            Run run = run(ExitCodes.commandLine(new ProducerApp()), "status", "--uri", broker.amqpUri(), "--queue", queue);

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.OK);
            assertThat(run.out().lines().toList()).hasSize(2);
            assertThat(run.out().lines().findFirst().orElseThrow())
                    .startsWith(queue + ": RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '" + queue + "'")
                    .doesNotContain("does not exist");
            assertThat(run.out()).contains(queue + ".dlq: does not exist");
        }
    }

    /**
     * RabbitMQ checks no permission on a passive declare (docs/reliability.md, "Least privilege"),
     * so the access status can be refused is the vhost's, when it connects.
     */
    @Test
    void aUserRefusedTheVhostIsToldWhoAndWhereWithExitStatus3() throws Exception {
        try (LeastPrivilegeNode node = LeastPrivilegeNode.start()) {
            String queue = TestQueues.unique("status-refused");

            Run run = run(ExitCodes.commandLine(new ProducerApp()), "status", "--uri", node.uri(DLQ_TOOLS), "--queue", queue,
                    "--startup-timeout", "5s");

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
            assertThat(run.out()).as("no queue line").isEmpty();
            assertThat(run.err().strip()).as("one line").doesNotContain("\n").doesNotContain("\tat ")
                    .startsWith("error: ")
                    .contains("access to vhost '" + VHOST + "' refused for user '" + DLQ_TOOLS + "'")
                    .doesNotContain("does not exist")
                    .doesNotContain(node.password(DLQ_TOOLS));
        }
    }

    @Test
    void aBrokerThatGoesAwayIsReportedAsLostWithExitStatus3() throws Exception {
        try (PrivateRabbitNode node = PrivateRabbitNode.builder().management(false).build()) {
            node.start();
            String queue = TestQueues.unique("status-lost");
            String lostLine = "error: lost the connection to 127.0.0.1:" + node.port() + " while reading queue '"
                    + queue + "': ";
            AmqpSettings settings = AmqpSettings.of(node.amqpUri()).withConnectionName("warren-test-status-lost");
            try (AmqpConnections connections = Guice.createInjector(new CoreModule(settings, RouteTable.allTo(queue)))
                    .getInstance(AmqpConnections.class)) {
                Connection connection = connections.publishing();
                assertThat(StatusCommand.describe(connection, queue)).isEqualTo(queue + ": does not exist");

                // The broker hangs (SIGSTOP) while status waits for its answer, then dies (SIGKILL).
                signal("STOP", node);
                var whileWaiting = new CompletableFuture<Run>();
                Thread reader = new Thread(() -> whileWaiting.complete(runHere(
                        ExitCodes.commandLine(new Describe(connection, queue)))), "status-reader");
                reader.start();
                await("status waits for the broker's answer").atMost(Duration.ofSeconds(10))
                        .until(() -> reader.getState() == Thread.State.WAITING
                                || reader.getState() == Thread.State.TIMED_WAITING);
                node.kill();
                assertLost(whileWaiting.get(30, TimeUnit.SECONDS), lostLine);

                // The connection is gone before status asks.
                assertLost(run(ExitCodes.commandLine(new Describe(connection, queue))), lostLine);
            }

            Run down = run(ExitCodes.commandLine(new ProducerApp()), "status", "--uri", node.amqpUri(), "--queue", queue,
                    "--startup-timeout", "1s");

            assertThat(down.exitCode()).as("exit code; stderr: %s", down.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
            assertThat(down.err()).contains("no broker answered within 1s").doesNotContain("does not exist");
        }
    }

    private static void assertLost(Run run, String lostLine) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.out()).as("no queue line").isEmpty();
        assertThat(run.err().strip()).as("one line").doesNotContain("\n").doesNotContain("\tat ")
                .startsWith(lostLine)
                .doesNotContain("does not exist");
        System.out.println("lost as expected: " + run.err().strip());
    }

    /** Sends {@code SIG<name>} to the node's Erlang VM, whose pid the node writes to its pid file. */
    private static void signal(String name, PrivateRabbitNode node) throws Exception {
        String pid = Files.readString(node.directory().resolve("pid")).strip();
        Process kill = new ProcessBuilder("kill", "-" + name, pid).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %s: %s", name, pid, new String(kill.getInputStream().readAllBytes()))
                .isZero();
    }

    /** The part of {@code status} that reads one queue, on a connection the test holds. */
    @Command(name = "describe")
    static final class Describe implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        private final Connection connection;
        private final String queue;

        Describe(Connection connection, String queue) {
            this.connection = connection;
            this.queue = queue;
        }

        @Override
        public Integer call() throws Exception {
            spec.commandLine().getOut().println(StatusCommand.describe(connection, queue));
            return ExitCodes.OK;
        }
    }

    /** Runs {@code cli} with {@code args} in this JVM, capturing stdout and stderr. */
    private static Run run(CommandLine cli, String... args) throws Exception {
        return CompletableFuture.supplyAsync(() -> runHere(cli, args)).get(60, TimeUnit.SECONDS);
    }

    /** {@link #run}, on the calling thread. */
    private static Run runHere(CommandLine cli, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
