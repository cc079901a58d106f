package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.cli.ExitCodes;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.spi.InvalidPayloadException;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskTooLargeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code producer-app dlq ...} against a dead-letter queue filled the way the worker fills it. */
class DlqCommandTest {

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private String queue;

    record Run(int exitCode, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        return runOn(queue, args);
    }

    private Run runOn(String workQueue, String... args) throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = ExitCodes.commandLine(new ProducerApp()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        System.arraycopy(new String[] {"--uri", broker.amqpUri(), "--queue", workQueue}, 0, full, args.length, 4);
        int code = CompletableFuture.supplyAsync(() -> cli.execute(full)).get(30, TimeUnit.SECONDS);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void fillTheDeadLetterQueue() throws Exception {
        queue = queues.unique("dlqcli");
        try (Connection connection = broker.connect("dlq-cli-test"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(queue + ".dlq", true, false, false, null);
            publishDead(channel, "dead-1", "fail", 5, "java.lang.IllegalStateException", "planned failure");
            publishDead(channel, "dead-2", "fail", 5, "java.lang.IllegalStateException", "planned failure");
            publishDead(channel, "dead-3", "send_welcome_email", 1, "dev.warren.core.spi.InvalidPayloadException",
                    "email must be an e-mail address");
        }
    }

    private void publishDead(Channel channel, String id, String type, int attempt, String error, String message) throws Exception {
        Map<String, Object> headers = new java.util.HashMap<>(Map.of(TaskHeaders.ATTEMPT, attempt, TaskHeaders.ERROR, error,
                TaskHeaders.ERROR_MESSAGE, message, TaskHeaders.FAILED_AT, "2026-11-26T10:00:00Z", TaskHeaders.QUEUE, queue));
        if (attempt > 1) {
            headers.put(TaskHeaders.STACK_TRACE, error + ": " + message + "\n\tat com.example.Billing.charge(Billing.java:42)");
        }
        channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id)
                .type(type).headers(headers).build(), ("{\"task_type\":\"" + type + "\",\"n\":1}").getBytes(StandardCharsets.UTF_8));
    }

    private int count(String name) throws Exception {
        try (Connection connection = broker.connect("dlq-cli-count"); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name).getMessageCount();
        }
    }

    @Test
    void listPrintsATableAndLeavesTheQueueAsItWas() throws Exception {
        Run all = run("dlq", "list");
        assertThat(all.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(all.out()).contains("MESSAGE ID", "TASK TYPE", "ATTEMPTS", "ERROR", "FAILED AT")
                .contains("dead-1", "dead-2", "dead-3", "IllegalStateException: planned failure", "2026-11-26T10:00:00Z")
                .contains("3 shown; 3 in " + queue + ".dlq");
        assertThat(all.out().indexOf("dead-1")).isLessThan(all.out().indexOf("dead-3"));

        Run filtered = run("dlq", "list", "--type", "send_welcome_email", "--limit", "5");
        assertThat(filtered.out()).contains("dead-3").doesNotContain("dead-1").contains("1 shown; 3 in");
        assertThat(count(queue + ".dlq")).isEqualTo(3);
    }

    @Test
    void showPrintsHeadersStackTraceAndBodyAndAnUnknownIdIsAnError() throws Exception {
        Run show = run("dlq", "show", "dead-3");
        assertThat(show.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(show.out()).contains("task type:     send_welcome_email", "x-warren-error-message = email must be",
                "{\"task_type\":\"send_welcome_email\",\"n\":1}");
        assertThat(show.out()).doesNotContain("stack trace:");
        Run withTrace = run("dlq", "show", "dead-1");
        assertThat(withTrace.out()).contains("stack trace:\n  java.lang.IllegalStateException: planned failure\n"
                + "  \tat com.example.Billing.charge(Billing.java:42)\nbody:").doesNotContain(TaskHeaders.STACK_TRACE + " =");
        Run missing = run("dlq", "show", "no-such-id");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no message with id no-such-id");
        assertThat(count(queue + ".dlq")).isEqualTo(3);
    }

    @Test
    void replayMovesTheSelectedMessagesBackWithTheAttemptCounterReset() throws Exception {
        Run replay = run("dlq", "replay", "--type", "fail");
        assertThat(replay.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(replay.out()).contains("replayed 2 message(s) from " + queue + ".dlq to " + queue);
        assertThat(count(queue + ".dlq")).isEqualTo(1);
        assertThat(count(queue)).isEqualTo(2);
        try (Connection connection = broker.connect("dlq-cli-get"); Channel channel = connection.createChannel()) {
            GetResponse back = channel.basicGet(queue, true);
            assertThat(back.getProps().getMessageId()).isIn("dead-1", "dead-2");
            assertThat(back.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(back.getProps().getHeaders()).doesNotContainKeys(TaskHeaders.ATTEMPT, TaskHeaders.ERROR,
                    TaskHeaders.ERROR_MESSAGE, TaskHeaders.STACK_TRACE, TaskHeaders.FAILED_AT);
        }
        Run none = run("dlq", "replay");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("--id", "--type", "--all");
    }

    @Test
    void aDeadLetterOverAmqpClientsLimitIsListedShownAndReplayedWhole() throws Exception {
        // What a worker parks when a task's body is over its limit: 64 MiB + 1 byte, over amqp-client's default limit.
        String head = "{\"task_type\":\"resize_image\",\"pad\":\"";
        byte[] large = new byte[64 * 1024 * 1024 + 1];
        Arrays.fill(large, (byte) 'p');
        System.arraycopy(head.getBytes(StandardCharsets.UTF_8), 0, large, 0, head.length());
        large[large.length - 2] = '"';
        large[large.length - 1] = '}';
        ConnectionFactory factory = broker.connectionFactory();
        factory.setMaxInboundMessageBodySize(OversizedBodies.LARGEST_BROKER_MESSAGE);
        try (Connection connection = factory.newConnection("dlq-cli-large"); Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("large-1")
                    .headers(Map.of(TaskHeaders.ATTEMPT, 1, TaskHeaders.ERROR, TaskTooLargeException.class.getName(),
                            TaskHeaders.BODY_BYTES, (long) large.length)).build(), large);

            Run list = run("dlq", "list");
            assertThat(list.exitCode()).as(list.err()).isEqualTo(ExitCodes.OK);
            assertThat(list.out()).contains("large-1").contains("resize_image").contains("dead-1").contains("dead-3");
            Run show = run("dlq", "show", "large-1");
            assertThat(show.exitCode()).as(show.err()).isEqualTo(ExitCodes.OK);
            assertThat(show.out()).contains("body (the first 65536 of 67108865 bytes):");

            Run replay = run("dlq", "replay", "--all");
            assertThat(replay.exitCode()).as(replay.err()).isEqualTo(ExitCodes.OK);
            assertThat(replay.out()).contains("replayed 4 message(s)");
            assertThat(count(queue + ".dlq")).isZero();
            GetResponse back = null;
            for (GetResponse next; (next = channel.basicGet(queue, true)) != null; ) {
                if ("large-1".equals(next.getProps().getMessageId())) {
                    back = next;
                }
            }
            assertThat(back).as("the replayed large task").isNotNull();
            assertThat(back.getBody()).isEqualTo(large);
            // Its only headers were the failure's (attempt, error, body size): replay drops them all.
            assertThat(back.getProps().getHeaders()).isNull();
        }
    }

    @Test
    void aMissingDeadLetterQueueIsAUsageErrorNamingTheQueueAndVhost() throws Exception {
        String typo = queue + "-typo";
        for (String[] command : new String[][] {{"dlq", "list"}, {"dlq", "show", "dead-1"}, {"dlq", "replay", "--all", "--to", queue},
            {"dlq", "purge", "--yes"}}) {
            Run missing = runOn(typo, command);
            assertThat(missing.exitCode()).as(String.join(" ", command) + ": " + missing.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(missing.err()).as(String.join(" ", command)).isEqualTo("error: no queue '" + typo
                    + ".dlq' in vhost '/' (is --queue / --vhost right?)" + System.lineSeparator());
        }
        assertThat(count(queue + ".dlq")).isEqualTo(3);
    }

    @Test
    void replayToAMissingQueueIsAUsageErrorAndMovesNothing() throws Exception {
        String missing = queue + "-nowhere";
        Run replay = run("dlq", "replay", "--all", "--to", missing);
        assertThat(replay.exitCode()).as(replay.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(replay.err()).isEqualTo("error: no queue '" + missing + "' in vhost '/' (is --to / --vhost right?)"
                + System.lineSeparator());
        assertThat(count(queue + ".dlq")).isEqualTo(3);
    }

    @Test
    void replayOfAnIdThatMatchesNothingIsAUsageError() throws Exception {
        Run replay = run("dlq", "replay", "--id", "no-such-id");
        assertThat(replay.exitCode()).as(replay.out() + replay.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(replay.err()).isEqualTo("error: no dead letter with id no-such-id in " + queue + ".dlq"
                + System.lineSeparator());
        assertThat(replay.out()).doesNotContain("replayed");
        assertThat(count(queue + ".dlq")).isEqualTo(3);
        assertThat(count(queue)).isZero();
    }

    @Test
    void purgeNeedsYesAndPrintsHowManyItRemoved() throws Exception {
        Run refused = run("dlq", "purge");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(refused.err()).contains("add --yes to confirm");
        assertThat(count(queue + ".dlq")).isEqualTo(3);
        Run purge = run("dlq", "purge", "--yes");
        assertThat(purge.out()).contains("purged 3 message(s) from " + queue + ".dlq");
        assertThat(count(queue + ".dlq")).isZero();
    }
}
