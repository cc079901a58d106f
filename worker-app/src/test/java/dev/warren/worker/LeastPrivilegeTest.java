package dev.warren.worker;

import static dev.warren.core.testing.LeastPrivilegeNode.DLQ_TOOLS;
import static dev.warren.core.testing.LeastPrivilegeNode.PRODUCER;
import static dev.warren.core.testing.LeastPrivilegeNode.VHOST;
import static dev.warren.core.testing.LeastPrivilegeNode.WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.warren.cli.ExitCodes;
import dev.warren.core.schedule.SchedulerSettings;
import dev.warren.core.testing.DocumentedPermissions;
import dev.warren.core.testing.LeastPrivilegeNode;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.TestQueues;
import dev.warren.core.wire.TaskHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * worker-app with the least privileges of docs/reliability.md ("Least privilege"), on a private
 * node with a vhost of its own: the documented worker permissions (read from the docs) are enough
 * to declare, consume, retry, dead-letter, answer through direct reply-to and poll queue depths;
 * the producer's or the DLQ tools' user, or a worker missing one permission, is refused at start
 * with one clear line and exit status 3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LeastPrivilegeNode node;

    @BeforeAll
    void startNode() {
        node = LeastPrivilegeNode.start("warren-worker-without-retry-read", "warren-nobody");
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aWorkerWithTheDocumentedPermissionsConsumesRetriesDeadLettersAndAnswers() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        try (LogCapture logs = LogCapture.all();
             InProcessWorker worker = InProcessWorker.start(node.uri(WORKER), queue, "--demo", "--retry-max-attempts", "2",
                     "--retry-delays", "200ms", "--metrics-port", "0", "--metrics-queue-poll", "200ms");
             Connection producer = node.factory(PRODUCER).newConnection("warren-lp-producer")) {
            Channel channel = producer.createChannel();
            Map<String, JsonNode> results = new ConcurrentHashMap<>();
            channel.basicConsume("amq.rabbitmq.reply-to", true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws java.io.IOException {
                    results.put(properties.getCorrelationId(), JSON.readTree(body));
                }
            });
            publish(channel, queue, "echo-1", "{\"task_type\": \"echo\", \"text\": \"hi\"}", true, null);
            publish(channel, queue, "fails-once", "{\"task_type\": \"fail\", \"times\": 1}", true, null);
            publish(channel, queue, "fails-always", "{\"task_type\": \"fail\", \"times\": 9}", true, null);
            publish(channel, queue, "junk", "not json", false, null);
            // user_id is checked by the broker against the publisher's user: the producer may set its
            // own, and the worker must still be able to dead-letter the message under its user.
            publish(channel, queue, "junk-with-user-id", "[1]", false, PRODUCER);

            await("three results").atMost(Duration.ofSeconds(30)).until(() -> results.size() == 3);
            assertThat(results.get("echo-1").path("result").path("text").asText()).isEqualTo("hi");
            assertThat(results.get("fails-once").path("status").asText()).isEqualTo("succeeded");
            assertThat(results.get("fails-once").path("attempts").asInt()).as("retried once").isEqualTo(2);
            assertThat(results.get("fails-always").path("status").asText()).isEqualTo("dead_lettered");
            await("three dead letters").atMost(Duration.ofSeconds(30))
                    .until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 3);
            URI metrics = URI.create("http://127.0.0.1:" + worker.metricsAddress().orElseThrow().getPort() + "/metrics");
            String depth = "warren_queue_messages{queue=\"" + queue + ".dlq\"} 3.0";
            await("the queue-depth poller to read " + queue + ".dlq").atMost(Duration.ofSeconds(10))
                    .until(() -> HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                            .body().contains(depth));
            assertThat(worker.worker().isHealthy()).isTrue();
            assertThat(logs.text()).doesNotContain("ACCESS_REFUSED").doesNotContain("PRECONDITION_FAILED")
                    .doesNotContain("could not be moved on");
        }
        try (Connection dlqTools = node.factory(DLQ_TOOLS).newConnection("warren-lp-dlq");
             Channel channel = dlqTools.createChannel()) {
            GetResponse withUserId = null;
            for (GetResponse letter; (letter = channel.basicGet(queue + ".dlq", true)) != null; ) {
                if ("junk-with-user-id".equals(letter.getProps().getMessageId())) {
                    withUserId = letter;
                }
            }
            assertThat(withUserId).as("the dead letter of the message with a user_id").isNotNull();
            assertThat(String.valueOf(withUserId.getProps().getHeaders().get(TaskHeaders.ERROR)))
                    .endsWith("MalformedTaskException");
        }
    }

    @Test
    void aWorkerOfAQuorumQueueNeedsNoMoreThanTheDocumentedPermissions() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        try (LogCapture logs = LogCapture.all();
             InProcessWorker worker = InProcessWorker.start(node.uri(WORKER), queue, "--demo", "--queue-type", "quorum");
             Connection producer = node.factory(PRODUCER).newConnection("warren-lp-producer");
             Channel channel = producer.createChannel()) {
            publish(channel, queue, "junk", "not json", false, null);

            await("the dead letter").atMost(Duration.ofSeconds(20))
                    .until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1);
            assertThat(worker.worker().isHealthy()).isTrue();
            assertThat(logs.text()).doesNotContain("ACCESS_REFUSED");
        }
    }

    @Test
    void aWorkerThatLosesItsWritePermissionKeepsTheTaskAndMovesItOnOnceThePermissionIsBack() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        DocumentedPermissions documented = DocumentedPermissions.of(WORKER).forQueue(queue);
        try (LogCapture logs = LogCapture.all();
             InProcessWorker worker = InProcessWorker.start(node.uri(WORKER), queue, "--demo");
             Connection producer = node.factory(PRODUCER).newConnection("warren-lp-producer");
             Channel channel = producer.createChannel()) {
            // After the start (declaring the retry queues needs write on amq.default), before the
            // worker's first publish (a channel caches a permission it has used).
            node.setPermissions(WORKER, documented.configure(), "^$", documented.read());
            publish(channel, queue, "junk-while-refused", "not json", false, null);
            await("the refusal").atMost(Duration.ofSeconds(20)).until(() -> logs.text().contains("ACCESS_REFUSED"));
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).isZero();

            node.grant(documented);

            await("the dead letter").atMost(Duration.ofSeconds(20))
                    .until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1);
            await("the work queue to be empty").atMost(Duration.ofSeconds(10))
                    .until(() -> channel.queueDeclarePassive(queue).getMessageCount() == 0);
            assertThat(logs.text()).contains("could not be moved on").contains("access to exchange 'amq.default'")
                    .contains("opening a new one");
            assertThat(worker.worker().isHealthy()).isTrue();
        }
    }

    @Test
    void theProducersUserCannotRunAWorkerAndIsToldWhy() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));

        WorkerRun run = WorkerRun.ending("--demo", "--uri", node.uri(PRODUCER), "--queue", queue, "--startup-timeout", "5s");

        assertRefused(run, "access to queue '" + queue + "' in vhost '" + VHOST + "' refused for user '" + PRODUCER + "'");
    }

    @Test
    void theDlqToolsUserCannotRunAWorkerAndIsToldWhy() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));

        WorkerRun run = WorkerRun.ending("--demo", "--uri", node.uri(DLQ_TOOLS), "--queue", queue, "--startup-timeout", "5s");

        assertRefused(run, "access to queue '" + queue + "' in vhost '" + VHOST + "' refused for user '" + DLQ_TOOLS + "'");
    }

    @Test
    void aWorkerThatMayNotReadItsRetryQueuesIsToldWhichQueue() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        DocumentedPermissions worker = DocumentedPermissions.of(WORKER).forQueue(queue);
        String user = "warren-worker-without-retry-read";
        node.setPermissions(user, worker.configure(), worker.write(), "^" + queue.replace(".", "\\.") + "$");

        WorkerRun run = WorkerRun.ending("--demo", "--uri", node.uri(user), "--queue", queue, "--retry-delays", "200ms",
                "--startup-timeout", "5s");

        assertRefused(run, "access to queue '" + queue + ".retry.200ms' in vhost '" + VHOST + "' refused for user '"
                + user + "'");
    }

    @Test
    void aWorkerWithoutTheSchedulersPermissionsExitsThreeNamingTheLeaseQueueAndWhatToGrant() throws Exception {
        String queue = node.grantDocumented(TestQueues.unique("billing.tasks"));
        String group = TestQueues.unique("lp-group");
        String lease = SchedulerSettings.leaseQueue(group);

        WorkerRun run = WorkerRun.endingWith(List.of(new WorkerCommandTest.Beats()), "--demo", "--uri", node.uri(WORKER),
                "--queue", queue, "--scheduler", "--scheduler-group", group, "--startup-timeout", "5s");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err().strip()).as("one line").doesNotContain("\n").doesNotContain("\tat ")
                .startsWith("error: the broker refused scheduler ")
                .contains("its lease queue '" + lease + "'")
                .contains("ACCESS_REFUSED - access to queue '" + lease + "' in vhost '" + VHOST + "' refused for user '"
                        + WORKER + "'")
                .contains("grant the user configure on '" + lease + "' and '" + lease + ".status'")
                .contains("docs/scheduling.md, \"Permissions\"")
                .doesNotContain("docs/reliability.md");
        System.out.println("refused as expected: " + run.err().strip());
    }

    @Test
    void aUserWithoutAnyPermissionInTheVhostIsRefusedAtOnce() throws Exception {
        long started = System.nanoTime();

        WorkerRun run = WorkerRun.ending("--demo", "--uri", node.uri("warren-nobody"), "--queue", TestQueues.unique("billing.tasks"),
                "--startup-timeout", "30s");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err()).contains("vhost '" + VHOST + "'").contains("warren-nobody").doesNotContain("\tat ");
        // Not retried: no retry logged, and over before the 30 s startup timeout it would have waited out.
        assertThat(run.log()).as("the run's log").doesNotContain("retrying");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not retried until the startup timeout")
                .isLessThan(Duration.ofSeconds(30));
        System.out.println("refused as expected: " + run.err().strip());
    }

    private static void assertRefused(WorkerRun run, String brokerText) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
        assertThat(run.err().strip()).as("one line").doesNotContain("\n").doesNotContain("\tat ")
                .startsWith("error: ")
                .contains("ACCESS_REFUSED")
                .contains(brokerText)
                .contains("docs/reliability.md");
        System.out.println("refused as expected: " + run.err().strip());
    }

    private static void publish(Channel channel, String queue, String id, String body, boolean reply, String userId)
            throws Exception {
        channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id)
                .replyTo(reply ? "amq.rabbitmq.reply-to" : null).userId(userId).build(),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
