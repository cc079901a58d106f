package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.connection.OversizedBodies;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.core.wire.TaskTooLargeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real worker-app in a 256 MB heap, with the broker's default limits: bodies just over
 * amqp-client's 64 MiB and just under the broker's 128 MiB {@code max_message_size}, between
 * ordinary tasks. Reading either the way amqp-client does (fragments, then one array: twice the
 * body) would not fit, and the first used to close the connection in a loop. Both must end up
 * whole in the DLQ while the worker, its connection and every other task carry on; two consumers
 * with a prefetch of 2 let both large bodies arrive at once.
 */
class OversizedTaskProcessTest {

    private static final int JUST_OVER_AMQP_CLIENT_LIMIT = 64 * 1024 * 1024 + 1;
    /** 1 KiB under RabbitMQ's default {@code max_message_size} of 128 MiB. */
    private static final int NEAR_BROKER_LIMIT = 128 * 1024 * 1024 - 1024;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private WorkerProcess worker;

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aWorkerIn256MbDeadLettersBodiesOf64And128MbWholeAndRunsEveryOtherTask() throws Exception {
        String queue = queues.unique("oversized-app");
        String results = queues.unique("oversized-results");
        int port = freePort();
        Path gcLog = directory.resolve("gc.log");
        worker = WorkerProcess.start(directory, "oversized", List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog),
                "--uri", broker.amqpUri(), "--queue", queue, "--metrics-port", String.valueOf(port),
                "--concurrency", "2", "--prefetch", "2", "--demo");
        worker.awaitConsuming(Duration.ofSeconds(60));

        Map<String, byte[]> large = Map.of(
                "large-64", randomBytes(JUST_OVER_AMQP_CLIENT_LIMIT, 64),
                "large-128", randomBytes(NEAR_BROKER_LIMIT, 128));
        Set<String> answered = ConcurrentHashMap.newKeySet();
        try (Connection connection = largeMessages().newConnection("oversized-app-test");
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(results, false, false, false, null);
            channel.basicConsume(results, true, (tag, delivery) -> answered.add(delivery.getProperties().getCorrelationId()),
                    tag -> { });
            Channel publishing = connection.createChannel();
            publishing.confirmSelect();
            int echo = 0;
            for (String id : List.of("large-64", "large-128", "")) {
                for (int i = 0; i < 3; i++) {
                    echo++;
                    publishing.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2)
                            .messageId("echo-" + echo).replyTo(results).build(),
                            ("{\"task_type\": \"echo\", \"n\": " + echo + "}").getBytes(StandardCharsets.UTF_8));
                }
                if (!id.isEmpty()) {
                    publishing.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id)
                            .replyTo(results).build(), large.get(id));
                }
            }
            publishing.waitForConfirmsOrDie(120_000);
            long published = System.nanoTime();

            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .failFast("worker exited", () -> !worker.isAlive())
                    .until(() -> answered.size() == 11 && channel.messageCount(queue + ".dlq") == 2);
            long took = (System.nanoTime() - published) / 1_000_000;

            String metrics = get(URI.create("http://127.0.0.1:" + port + "/metrics"));
            assertThat(metrics)
                    .contains("warren_tasks_too_large_total{queue=\"" + queue + "\"} 2.0")
                    .contains("warren_tasks_total{outcome=\"dead_lettered\",queue=\"" + queue + "\",task_type=\"unknown\"} 2.0")
                    .contains("warren_tasks_total{outcome=\"succeeded\",queue=\"" + queue + "\",task_type=\"echo\"} 9.0")
                    .contains("warren_connection_recoveries_total 0.0");
            String log = worker.log();
            for (Map.Entry<String, byte[]> entry : large.entrySet()) {
                assertThat(log).contains("task " + entry.getKey() + " (unknown) dead-lettered to '" + queue
                        + ".dlq' (permanent failure): too_large: body of " + entry.getValue().length + " bytes");
            }
            assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("Message body is too large")
                    .doesNotContain("recovering");
            // The 9 echo tasks, and the 2 large ones: their requester hears they were dead-lettered.
            assertThat(answered).hasSize(11).containsAll(large.keySet());

            Map<String, GetResponse> parked = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                GetResponse dead = channel.basicGet(queue + ".dlq", true);
                parked.put(dead.getProps().getMessageId(), dead);
            }
            assertThat(parked).containsOnlyKeys(large.keySet());
            for (Map.Entry<String, byte[]> entry : large.entrySet()) {
                GetResponse dead = parked.get(entry.getKey());
                Map<String, Object> headers = dead.getProps().getHeaders();
                assertThat(String.valueOf(headers.get(TaskHeaders.ERROR))).isEqualTo(TaskTooLargeException.class.getName());
                assertThat(headers.get(TaskHeaders.BODY_BYTES)).isEqualTo((long) entry.getValue().length);
                assertThat(sha256(dead.getBody())).as(entry.getKey()).isEqualTo(sha256(entry.getValue()));
            }
            assertThat(channel.messageCount(queue)).isZero();
            System.out.printf("oversized-app: 9 echo tasks answered and bodies of %d and %d bytes dead-lettered %d ms"
                    + " after publishing; worker heap (-Xmx256m): %s%n", JUST_OVER_AMQP_CLIENT_LIMIT, NEAR_BROKER_LIMIT,
                    took, heapSummary(gcLog));
        }
        assertThat(worker.isAlive()).isTrue();
        worker.terminate();
        assertThat(worker.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(worker.summary()).hasValueSatisfying(summary -> {
            assertThat(summary.succeeded()).isEqualTo(9);
            assertThat(summary.deadLettered()).isEqualTo(2);
        });
    }

    /** The most heap in use before and after any collection, and the heap's committed size, from the worker's GC log. */
    private static String heapSummary(Path gcLog) throws IOException {
        long before = 0;
        long after = 0;
        long committed = 0;
        int collections = 0;
        Matcher m = GC_HEAP.matcher(Files.exists(gcLog) ? Files.readString(gcLog) : "");
        while (m.find()) {
            collections++;
            before = Math.max(before, Long.parseLong(m.group(1)));
            after = Math.max(after, Long.parseLong(m.group(2)));
            committed = Math.max(committed, Long.parseLong(m.group(3)));
        }
        return "at most " + before + " MB in use before a collection and " + after + " MB after one, " + committed
                + " MB committed, " + collections + " collections";
    }

    private ConnectionFactory largeMessages() {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setMaxInboundMessageBodySize(OversizedBodies.LARGEST_BROKER_MESSAGE);
        return factory;
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
