package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.test.TestClock;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dead-letter list, export and bulk replay through the console's API on the real broker. */
class DeadLetterActionsTest {

    private static final int LETTERS = 30;
    private static final String PASSWORD = "reader-Pa55word";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final BrokerUsers users = new BrokerUsers(broker);
    private Console console;
    private ConsoleClient client;
    private String queue;

    @BeforeEach
    void start() throws Exception {
        console = Console.start(ConsoleSecurityTest.settings(broker).withPort(0));
        client = new ConsoleClient(console);
        queue = queues.unique("console-actions");
        declareWithLetters(queue, null);
    }

    /** Declares {@code name} and {@code name.dlq} (with {@code dlqArguments}) and puts LETTERS dead letters in it, alpha and beta by turns. */
    private void declareWithLetters(String name, Map<String, Object> dlqArguments) throws Exception {
        try (Connection connection = broker.connect("console-actions-test"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(name, true, false, false, null);
            channel.queueDeclare(name + ".dlq", true, false, false, dlqArguments);
            channel.confirmSelect();
            for (int i = 0; i < LETTERS; i++) {
                String type = i % 2 == 0 ? "alpha" : "beta";
                channel.basicPublish("", name + ".dlq", new AMQP.BasicProperties.Builder().messageId("letter-" + i)
                        .type(type).headers(Map.of("x-warren-error", "java.io.IOException", "x-warren-error-message",
                                "disk " + i + " full", "x-warren-failed-at", Instant.now().toString())).build(),
                        ("{\"task_type\":\"" + type + "\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    @AfterEach
    void stop() throws Exception {
        console.close();
        users.deleteAll();
    }

    @Test
    void listCountsEveryMatchingLetterAndShowsTheRequestedPage() throws Exception {
        client.signIn("guest", "guest");

        JsonNode page = ConsoleClient.json(client.get("/api/dead-letters?queue=" + queue + "&type=alpha&page=2&size=4"));

        assertThat(page.path("total").asInt()).isEqualTo(LETTERS / 2);
        assertThat(ids(page.path("items"))).containsExactly("letter-8", "letter-10", "letter-12", "letter-14");
        JsonNode text = ConsoleClient.json(client.get("/api/dead-letters?queue=" + queue + "&text=disk%207%20full"));
        assertThat(ids(text.path("items"))).containsExactly("letter-7");
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS);
    }

    @Test
    void badPageParameterIsRefusedNamingIt() throws Exception {
        client.signIn("guest", "guest");

        HttpResponse<String> response = client.get("/api/dead-letters?queue=" + queue + "&size=0");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(response).path("error").asText())
                .isEqualTo("size must be a whole number from 1 to 500, was '0'");
    }

    @Test
    void exportWritesEveryMatchingDeadLetterAsOneJsonLine() throws Exception {
        client.signIn("guest", "guest");

        HttpResponse<String> export = client.get("/api/dead-letters/export?queue=" + queue + "&type=beta");

        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type")).hasValue(DeadLettersApi.EXPORT_TYPE);
        assertThat(export.headers().firstValue("Content-Disposition")).hasValue(
                "attachment; filename=\"" + queue + ".dlq.jsonl\"");
        List<String> lines = export.body().lines().toList();
        assertThat(lines).hasSize(LETTERS / 2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.path("letter").path("id").asText()).isEqualTo("letter-1");
        assertThat(first.path("payload").asText()).isEqualTo("{\"task_type\":\"beta\",\"n\":1}");
        assertThat(first.path("headers").path("x-warren-error-message").asText()).isEqualTo("disk 1 full");
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS);
    }

    @Test
    void letterWhoseIdHoldsASlashOpensByItsEncodedId() throws Exception {
        client.signIn("guest", "guest");
        try (Connection connection = broker.connect("console-actions-slash"); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().messageId("tenant/letter-7+1")
                    .type("alpha").build(), "{\"task_type\":\"alpha\"}".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
        }

        HttpResponse<String> shown = client.get("/api/dead-letters/tenant%2Fletter-7+1?queue=" + queue);

        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(ConsoleClient.json(shown).path("letter").path("id").asText()).isEqualTo("tenant/letter-7+1");
    }

    @Test
    void exportIsStreamedInChunksAndHoldsEveryLetter() throws Exception {
        int more = 2_500;   // past the reader's buffer of 2,000: the reply is written while the read goes on
        addLetters(more, "");
        client.signIn("guest", "guest");

        HttpResponse<String> export = client.get("/api/dead-letters/export?queue=" + queue);

        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Length")).isEmpty();
        assertThat(export.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        List<String> ids = new ArrayList<>();
        for (String line : export.body().lines().toList()) {
            ids.add(JSON.readTree(line).path("letter").path("id").asText());
        }
        assertThat(ids).hasSize(LETTERS + more).doesNotHaveDuplicates().startsWith("letter-0").endsWith("more-" + (more - 1));
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS + more);
    }

    @Test
    void exportWhoseReadEndsEarlyEndsWithAnErrorLine() throws Exception {
        int more = 20_000;   // 40 MB: more than the socket buffers and the reader's hold while the client waits
        addLetters(more, "x".repeat(2_000));
        client.signIn("guest", "guest");
        HttpResponse<InputStream> export = client.http().send(HttpRequest.newBuilder(
                client.base().resolve("/api/dead-letters/export?queue=" + queue)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(export.statusCode()).isEqualTo(200);

        try (BufferedReader body = new BufferedReader(new InputStreamReader(export.body(), StandardCharsets.UTF_8))) {
            assertThat(JSON.readTree(body.readLine()).path("letter").path("id").asText()).isEqualTo("letter-0");
            // The client reads no further: the console blocks writing, the broker holds back the rest.
            await().atMost(Duration.ofSeconds(10)).until(() -> messages(queue + ".dlq") > 0
                    && messages(queue + ".dlq") < LETTERS + more);
            try (Connection connection = broker.connect("console-actions-export-cut");
                 Channel channel = connection.createChannel()) {
                channel.queueDelete(queue + ".dlq");   // the broker cancels the read's consumer
            }
            List<String> rest = body.lines().toList();

            assertThat(rest.size() + 1).isLessThan(LETTERS + more);
            assertThat(JSON.readTree(rest.get(rest.size() - 1)).path("error").asText())
                    .startsWith("the export stopped early: ");
            assertThat(rest.subList(0, rest.size() - 1)).allSatisfy(line -> assertThat(line).contains("\"letter\""));
        }
    }

    @Test
    void moveSendsTheChosenLettersToAnotherQueueAndRemovesThemFromTheDlq() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));
        String parking = queues.unique("console-parking");
        try (Connection connection = broker.connect("console-actions-parking"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(parking, true, false, false, null);
        }

        HttpResponse<String> moved = client.postJson("/api/dead-letters/move", JSON.createObjectNode().put("queue", queue)
                .put("to", parking).set("ids", JSON.createArrayNode().add("letter-3").add("letter-4")),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf));

        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(ConsoleClient.json(moved).path("replayed").asInt()).isEqualTo(2);
        assertThat(drain(parking)).containsExactlyInAnyOrder("letter-3", "letter-4");
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS - 2);
        assertThat(messages(queue)).isZero();
    }

    @Test
    void moveToAQueueThatDoesNotExistIsRefusedAndKeepsTheLetters() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));

        HttpResponse<String> refused = client.postJson("/api/dead-letters/move", JSON.createObjectNode().put("queue", queue)
                .put("to", queue + "-nowhere").set("ids", JSON.createArrayNode().add("letter-3")),
                Map.of(ConsoleHttp.CSRF_HEADER, csrf));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(refused).path("error").asText()).contains("no queue '" + queue + "-nowhere'");
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS);
    }

    @Test
    void purgeRemovesTheChosenLettersForGoodAfterTheTypedConfirmation() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));
        assertThat(ConsoleClient.json(client.get("/api/dead-letters?queue=" + queue)).path("may_purge").asBoolean(false))
                .isTrue();

        HttpResponse<String> purged = purge(csrf, "", JSON.createObjectNode().put("confirm", queue + ".dlq")
                .set("ids", JSON.createArrayNode().add("letter-1").add("letter-2")));

        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(ConsoleClient.json(purged).path("purged").asInt()).isEqualTo(2);
        List<String> kept = drain(queue + ".dlq");
        assertThat(kept).hasSize(LETTERS - 2).doesNotContain("letter-1", "letter-2");
        assertThat(messages(queue)).isZero();
    }

    @Test
    void purgeWithoutIdsRemovesEveryLetterTheFilterMatches() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));

        HttpResponse<String> purged = purge(csrf, "&type=beta", JSON.createObjectNode().put("confirm", queue + ".dlq"));

        assertThat(ConsoleClient.json(purged).path("purged").asInt()).isEqualTo(LETTERS / 2);
        assertThat(drain(queue + ".dlq")).hasSize(LETTERS / 2).allSatisfy(id ->
                assertThat(Integer.parseInt(id.substring("letter-".length())) % 2).isZero());
    }

    @Test
    void purgeWithoutTheTypedConfirmationIsRefusedAndRemovesNothing() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));

        HttpResponse<String> refused = purge(csrf, "", JSON.createObjectNode().put("confirm", queue));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(refused).path("error").asText()).contains("'" + queue + ".dlq'");
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS);
    }

    @Test
    void userWithoutWriteOnTheDlqMayNotPurgeItThoughRabbitMqWouldLetItPurge() throws Exception {
        String reader = users.create("console-reader", PASSWORD, "", "", ".*");
        String csrf = ConsoleClient.csrfToken(client.signIn(reader, PASSWORD));
        assertThat(ConsoleClient.json(client.get("/api/dead-letters?queue=" + queue)).path("may_purge").asBoolean(true))
                .isFalse();

        HttpResponse<String> refused = purge(csrf, "", JSON.createObjectNode().put("confirm", queue + ".dlq"));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS);
    }

    @Test
    void bulkReplayMovesEveryMatchingLetterOnceAtTheGivenRateAndNoOther() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));

        HttpResponse<String> started = post(csrf, "&type=alpha&rate=20");
        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode done = awaitEnd();

        assertThat(done.path("state").asText()).isEqualTo("DONE");
        assertThat(done.path("replayed").asInt()).isEqualTo(LETTERS / 2);
        // 15 letters at 20/s: the last one is sent no sooner than 14 intervals of 50 ms after the first.
        assertThat(Duration.between(Instant.parse(done.path("started_at").asText()),
                Instant.parse(done.path("ended_at").asText()))).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        List<String> moved = drain(queue);
        assertThat(moved).hasSize(LETTERS / 2).doesNotHaveDuplicates().allSatisfy(id ->
                assertThat(Integer.parseInt(id.substring("letter-".length())) % 2).isZero());
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS / 2);
    }

    @Test
    void cancelledBulkReplayStopsAndLosesOrDuplicatesNothing() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));
        post(csrf, "&rate=5");
        await().atMost(Duration.ofSeconds(20)).until(() -> progress().path("replayed").asInt() >= 2);

        HttpRequest.Builder cancel = HttpRequest.newBuilder(client.base().resolve(BulkReplayApi.PATH))
                .header(ConsoleHttp.CSRF_HEADER, csrf).DELETE();
        assertThat(client.send(cancel).statusCode()).isEqualTo(200);
        JsonNode ended = awaitEnd();

        assertThat(ended.path("state").asText()).isEqualTo("CANCELLED");
        int replayed = ended.path("replayed").asInt();
        assertThat(replayed).isBetween(2, LETTERS - 1);
        List<String> moved = drain(queue);
        List<String> kept = drain(queue + ".dlq");
        assertThat(moved).hasSize(replayed);
        Set<String> all = new HashSet<>(moved);
        all.addAll(kept);
        assertThat(all).hasSize(LETTERS);
        assertThat(moved.size() + kept.size()).isEqualTo(LETTERS);
    }

    @Test
    void secondBulkReplayWhileOneRunsIsRefused() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));
        post(csrf, "&rate=2");

        HttpResponse<String> second = post(csrf, "&rate=2");

        assertThat(second.statusCode()).isEqualTo(409);
        client.send(HttpRequest.newBuilder(client.base().resolve(BulkReplayApi.PATH)).header(ConsoleHttp.CSRF_HEADER, csrf)
                .DELETE());
        awaitEnd();
    }

    @Test
    void bulkReplayThatCouldOutlastTheDlqsConsumerTimeoutIsRefusedNamingTheRateThatFits() throws Exception {
        String csrf = ConsoleClient.csrfToken(client.signIn("guest", "guest"));
        String timed = queues.unique("console-timed");
        // 20 s: a run may take 10 s by its estimate. The console reads the argument; RabbitMQ 3.12+ enforces it.
        declareWithLetters(timed, Map.of("x-consumer-timeout", 20_000));

        // 15 matches at 1/s: 15 s.
        HttpResponse<String> refused = post(timed, csrf, "&type=alpha&rate=1");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(refused).path("error").asText()).startsWith("rate: replaying 15 of 30 dead letters at"
                + " 1/s could take 16s, more than 50% of the broker's consumer_timeout of 20s on '" + timed + ".dlq'")
                .endsWith("raise rate to at least 2 (only matching letters are paced) or narrow the filter");
        assertThat(client.get(BulkReplayApi.PATH).statusCode()).isEqualTo(404);
        assertThat(messages(timed + ".dlq")).isEqualTo(LETTERS);
        // A narrow filter at the same rate fits, and so does the refused one at the rate named.
        assertThat(post(timed, csrf, "&type=alpha&text=disk%204%20full&rate=1").statusCode()).isEqualTo(202);
        assertThat(awaitEnd().path("replayed").asInt()).isEqualTo(1);
        assertThat(post(timed, csrf, "&type=alpha&rate=2").statusCode()).isEqualTo(202);
        assertThat(awaitEnd().path("replayed").asInt()).isEqualTo(LETTERS / 2 - 1);
    }

    @Test
    void sessionWithARunningBulkReplayOutlivesItsIdleTimeoutAndEndsIdleAfterTheReplay() throws Exception {
        TestClock clock = TestClock.now();
        try (Console shortIdle = Console.start(ConsoleSecurityTest.settings(broker).withPort(0)
                .withSessionIdle(Duration.ofMinutes(1)), clock)) {
            ConsoleClient replaying = new ConsoleClient(shortIdle);
            String csrf = ConsoleClient.csrfToken(replaying.signIn("guest", "guest"));
            HttpRequest.Builder start = HttpRequest.newBuilder(replaying.base().resolve(BulkReplayApi.PATH + "?queue="
                    + queue + "&rate=2")).header(ConsoleHttp.CSRF_HEADER, csrf).POST(HttpRequest.BodyPublishers.noBody());
            assertThat(replaying.send(start).statusCode()).isEqualTo(202);

            // Idle for twice the timeout: this request's lookup runs the expiry sweep first.
            clock.advance(Duration.ofMinutes(2));
            HttpResponse<String> progress = replaying.get(BulkReplayApi.PATH);
            assertThat(progress.statusCode()).isEqualTo(200);
            assertThat(ConsoleClient.json(progress).path("state").asText()).isEqualTo("RUNNING");
            assertThat(replaying.send(HttpRequest.newBuilder(replaying.base().resolve(BulkReplayApi.PATH))
                    .header(ConsoleHttp.CSRF_HEADER, csrf).DELETE()).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> ConsoleClient.json(replaying.get(BulkReplayApi.PATH))
                    .path("state").asText(), state -> !state.equals("RUNNING"));

            clock.advance(Duration.ofMinutes(2));
            assertThat(replaying.get(BulkReplayApi.PATH).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void readOnlyUserMayNotStartABulkReplay() throws Exception {
        String reader = users.create("console-reader", PASSWORD, "", "", ".*");
        String csrf = ConsoleClient.csrfToken(client.signIn(reader, PASSWORD));

        HttpResponse<String> refused = post(csrf, "");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(messages(queue + ".dlq")).isEqualTo(LETTERS);
    }

    /** Adds {@code count} gamma letters ({@code more-<n>}) to the DLQ, each body padded with {@code padding}. */
    private void addLetters(int count, String padding) throws Exception {
        try (Connection connection = broker.connect("console-actions-more"); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < count; i++) {
                channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().messageId("more-" + i)
                        .type("gamma").build(), ("{\"task_type\":\"gamma\",\"n\":" + i + ",\"padding\":\"" + padding
                        + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(60_000);
        }
    }

    private HttpResponse<String> post(String csrf, String parameters) throws Exception {
        return post(queue, csrf, parameters);
    }

    private HttpResponse<String> post(String workQueue, String csrf, String parameters) throws Exception {
        return client.send(HttpRequest.newBuilder(client.base().resolve(BulkReplayApi.PATH + "?queue=" + workQueue + parameters))
                .header(ConsoleHttp.CSRF_HEADER, csrf).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> purge(String csrf, String parameters, JsonNode body) throws Exception {
        return client.postJson("/api/dead-letters/purge?queue=" + queue + parameters, body,
                Map.of(ConsoleHttp.CSRF_HEADER, csrf));
    }

    private JsonNode progress() throws Exception {
        return ConsoleClient.json(client.get(BulkReplayApi.PATH));
    }

    private JsonNode awaitEnd() {
        return await().atMost(Duration.ofSeconds(30)).until(this::progress,
                progress -> !progress.path("state").asText().equals("RUNNING"));
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }

    /** Takes every message out of {@code name}; returns their message ids. */
    private List<String> drain(String name) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection connection = broker.connect("console-actions-drain"); Channel channel = connection.createChannel()) {
            for (GetResponse got = channel.basicGet(name, true); got != null; got = channel.basicGet(name, true)) {
                ids.add(got.getProps().getMessageId());
            }
        }
        return ids;
    }

    private int messages(String name) throws Exception {
        try (Connection connection = broker.connect("console-actions-check"); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name).getMessageCount();
        }
    }
}
