package dev.warren.producer;

import static dev.warren.core.testing.LeastPrivilegeNode.DLQ_TOOLS;
import static dev.warren.core.testing.LeastPrivilegeNode.PRODUCER;
import static dev.warren.core.testing.LeastPrivilegeNode.VHOST;
import static dev.warren.core.testing.LeastPrivilegeNode.WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.WorkerModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.WorkerSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.Worker;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.testing.LeastPrivilegeNode;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.TestQueues;
import dev.warren.retry.RetryDlxModule;
import dev.warren.retry.RetrySettings;
import dev.warren.retry.WorkQueueType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * producer-app with the least privileges of docs/reliability.md ("Least privilege"), on a private
 * node with a vhost of its own and the documented permissions read from the docs: the producer's
 * user sends, waits for results, runs a load and reads the status; the DLQ tools' user lists,
 * shows, replays and purges; a worker with the worker's permissions answers. A user without the
 * permission a command needs is refused with one clear line and exit status 3. No run prints or
 * logs a password (docs/reliability.md, "Credentials").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LeastPrivilegeNode node;

    /** What one run returned and printed. */
    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    void startNode() {
        node = LeastPrivilegeNode.start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void theProducerAndTheDlqToolsDoTheirJobsWithTheDocumentedPermissions() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        Injector injector = worker(queue);
        Worker worker = injector.getInstance(Worker.class);
        try {
            worker.start();

            Run echo = run(PRODUCER, queue, "send", "--type", "echo", "--field", "text=hi", "--wait", "--timeout", "20s");
            assertThat(echo.exitCode()).as("send --wait; stderr: %s", echo.err()).isZero();
            JsonNode result = JSON.readTree(echo.out());
            assertThat(result.path("status").asText()).isEqualTo("succeeded");
            assertThat(result.path("result").path("text").asText()).isEqualTo("hi");

            Run load = run(PRODUCER, queue, "load", "--count", "20", "--types", "echo", "--await-results",
                    "--no-progress", "--timeout", "30s");
            assertThat(load.exitCode()).as("load --await-results; stderr: %s", load.err()).isZero();

            Run unknown = run(PRODUCER, queue, "send", "--type", "no_such_type", "--count", "3");
            assertThat(unknown.exitCode()).as("send; stderr: %s", unknown.err()).isZero();
            await("three dead letters").atMost(Duration.ofSeconds(20))
                    .until(() -> runWithPasswordFile(PRODUCER, queue, "status").out().contains(queue + ".dlq: 3 ready"));
        } finally {
            worker.stop();
            injector.getInstance(AmqpConnections.class).close();
        }

        Run list = run(DLQ_TOOLS, queue, "dlq", "list");
        assertThat(list.exitCode()).as("dlq list; stderr: %s", list.err()).isZero();
        assertThat(list.out()).contains("UnknownTaskTypeException").contains("3 shown; 3 in " + queue + ".dlq");
        String id = list.out().lines().filter(line -> line.contains("no_such_type")).findFirst().orElseThrow()
                .split("\\s+")[0];
        Run show = run(DLQ_TOOLS, queue, "dlq", "show", id);
        assertThat(show.exitCode()).as("dlq show; stderr: %s", show.err()).isZero();
        assertThat(show.out()).contains("message id:    " + id);
        Run replay = run(DLQ_TOOLS, queue, "dlq", "replay", "--id", id);
        assertThat(replay.exitCode()).as("dlq replay; stderr: %s", replay.err()).isZero();
        assertThat(replay.out()).contains("replayed 1 message(s)");
        Run purge = run(DLQ_TOOLS, queue, "dlq", "purge", "--yes");
        assertThat(purge.exitCode()).as("dlq purge; stderr: %s", purge.err()).isZero();
        assertThat(purge.out()).contains("purged 2 message(s)");
        try (Connection connection = node.factory(DLQ_TOOLS).newConnection("warren-lp-check");
             Channel channel = connection.createChannel()) {
            assertThat(channel.queueDeclarePassive(queue).getMessageCount()).as("replayed to the work queue").isEqualTo(1);
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).isZero();
        }
    }

    @Test
    void theProducersUserMayNotReadOrPurgeTheDlqAndIsToldWhy() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        declareTopology(queue);

        for (String[] command : new String[][] {{"dlq", "list"}, {"dlq", "purge", "--yes"}, {"dlq", "replay", "--all"}}) {
            Run run = run(PRODUCER, queue, command);

            assertRefused(run, "access to queue '" + queue + ".dlq' in vhost '" + VHOST + "' refused for user '"
                    + PRODUCER + "'");
        }
    }

    @Test
    void aUserWithoutWritePermissionCannotSendAndIsToldWhy() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        declareTopology(queue);
        node.setPermissions(DLQ_TOOLS, "^$", "^$", "^$");

        Run run = run(DLQ_TOOLS, queue, "send", "--type", "noop");

        assertRefused(run, "access to exchange 'amq.default' in vhost '" + VHOST + "' refused for user '" + DLQ_TOOLS + "'");
    }

    private static void assertRefused(Run run, String brokerText) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err().strip()).as("one line").doesNotContain("\n").doesNotContain("\tat ")
                .startsWith("error: ")
                .contains("ACCESS_REFUSED")
                .contains(brokerText)
                .contains("docs/reliability.md");
        System.out.println("refused as expected: " + run.err().strip());
    }

    /** A Warren worker (the modules worker-app installs) running as the worker's user. */
    private Injector worker(String queue) {
        return Guice.createInjector(
                new CoreModule(AmqpSettings.of(node.uri(WORKER)).withConnectionName("warren-lp-worker"), RouteTable.allTo(queue)),
                new WorkerModule(WorkerSettings.of(queue).withConcurrency(2)),
                new RetryDlxModule(RetrySettings.custom().maxAttempts(2).delays("200ms").build(), WorkQueueType.classic()),
                new SendCommandTest.EchoTasks());
    }

    /** Declares the work queue and its DLQ as the worker does, with the worker's user, and puts a dead letter in. */
    private void declareTopology(String queue) throws Exception {
        try (Connection connection = node.factory(WORKER).newConnection("warren-lp-declare");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(queue + ".dlq", true, false, false, null);
            channel.basicPublish("", queue + ".dlq", new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .deliveryMode(2).messageId("dead-1").build(), "{\"task_type\": \"nope\"}".getBytes());
        }
    }

    /**
     * Runs {@code producer-app args --uri <user's> --queue queue} in this JVM, capturing stdout,
     * stderr and the log, and checks that none of them shows a password.
     */
    private Run run(String user, String queue, String... args) throws Exception {
        String[] all = java.util.Arrays.copyOf(args, args.length + 6);
        System.arraycopy(new String[] {"--uri", node.uri(user), "--queue", queue, "--startup-timeout", "5s"}, 0, all,
                args.length, 6);
        return runChecked(all);
    }

    /** Runs {@code producer-app args} with the user's password in a file instead of the URI. */
    private Run runWithPasswordFile(String user, String queue, String... args) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("warren-password-", "");
        try {
            java.nio.file.Files.writeString(file, node.password(user) + "\n");
            String[] all = java.util.Arrays.copyOf(args, args.length + 8);
            System.arraycopy(new String[] {"--uri", node.uriWithoutCredentials(), "--username", user,
                "--password-file", file.toString(), "--queue", queue}, 0, all, args.length, 8);
            return runChecked(all);
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    private Run runChecked(String... args) throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = ExitCodes.commandLine(new ProducerApp())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        try (LogCapture log = LogCapture.all()) {
            int code = CompletableFuture.supplyAsync(() -> cli.execute(args)).get(60, TimeUnit.SECONDS);
            Run run = new Run(code, out.toString(), err.toString());
            for (String password : node.passwords()) {
                assertThat(run.out() + run.err() + log.text()).as("output and log of %s", args[0]).doesNotContain(password);
            }
            return run;
        }
    }
}
