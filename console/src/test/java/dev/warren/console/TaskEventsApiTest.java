package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.events.Event;
import dev.warren.events.EventCodec;
import dev.warren.events.EventStream;
import dev.warren.events.EventsSettings;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/types} and {@code GET /api/tasks/{id}} against a real stream on the shared broker,
 * holding events written as workers write them: the JSON shapes, the window, the timeline's order
 * and result, 403 for a user without read on the stream, the message for a missing stream.
 */
class TaskEventsApiTest {

    private static final String PASSWORD = "events-Pa55word";

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    private final RabbitBroker broker = RabbitBroker.shared();
    private final BrokerUsers users = new BrokerUsers(broker);
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final String task = UUID.randomUUID().toString();
    private String stream;
    private Console console;
    private ConsoleClient client;

    @BeforeEach
    void start() throws Exception {
        stream = queues.unique("console-events");
        List<Event> events = new ArrayList<>();
        // resize on "images": three attempts succeed (10, 20, 30 ms); the task's first attempt fails and is retried,
        // its second fails and is dead-lettered; an attempt two hours ago is outside any window asked for here.
        events.add(event("received", task, 1, at(-59), null, null, null, null));
        events.add(event("failed", task, 1, at(-58), 40L, "java.io.IOException", "store down", null));
        events.add(event("retried", task, 1, at(-57), 41L, "java.io.IOException", "store down", null));
        events.add(event("failed", task, 2, at(-30), 50L, "java.lang.IllegalStateException", "still down", null));
        events.add(event("dead_lettered", task, 2, at(-29), 51L, "java.lang.IllegalStateException", "still down", null));
        for (long ms : new long[] {10, 20, 30}) {
            events.add(event("succeeded", UUID.randomUUID().toString(), 1, at(-20), ms, null, null, null));
        }
        events.add(event("succeeded", UUID.randomUUID().toString(), 1, at(-7200), 999L, null, null, null));
        // Producers and workers write independently: the producer's event reaches the stream last.
        events.add(Event.published(task, "resize", "images", "producer-1", at(-60)));
        events.add(new Event("succeeded", UUID.randomUUID().toString(), "thumbnail", "images", 1, "worker-2", at(-10),
                null, 5L, null, null, null, null));
        // From a worker whose clock is an hour ahead: after the read's start, so not counted.
        events.add(event("succeeded", UUID.randomUUID().toString(), 1, at(3600), 1L, null, null, null));
        try (Connection connection = broker.connect("console-events-test"); Channel channel = connection.createChannel()) {
            EventStream.declare(channel, EventsSettings.defaults().withStream(stream));
            channel.confirmSelect();
            // Two messages, as a worker batches them: the reader splits each into its lines.
            channel.basicPublish("", stream, new AMQP.BasicProperties(), EventCodec.encode(events.subList(0, 4)));
            channel.basicPublish("", stream, new AMQP.BasicProperties(), EventCodec.encode(events.subList(4, events.size())));
            channel.waitForConfirmsOrDie(10_000);
        }
        console = Console.start(ConsoleSecurityTest.settings(broker).withPort(0).withEventsStream(stream));
        client = new ConsoleClient(console);
    }

    @AfterEach
    void stop() throws Exception {
        console.close();
        users.deleteAll();
    }

    @Test
    void taskTypesCountEachOutcomeInTheWindowWithRatesRunTimePercentilesAndTheLastError() throws Exception {
        client.signIn("guest", "guest");

        HttpResponse<String> response = client.get("/api/types?window=15m");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = ConsoleClient.json(response);
        assertThat(body.path("stream").asText()).isEqualTo(stream);
        assertThat(body.path("window").asText()).isEqualTo("15m");
        assertThat(body.path("complete").asBoolean()).isTrue();
        assertThat(body.path("events").asInt()).isEqualTo(10);
        JsonNode types = body.path("types");
        assertThat(types).hasSize(2);
        JsonNode resize = types.get(0);
        assertThat(resize.path("task_type").asText()).isEqualTo("resize");
        assertThat(resize.path("queue").asText()).isEqualTo("images");
        assertThat(resize.path("succeeded").asInt()).isEqualTo(3);
        assertThat(resize.path("retried").asInt()).isEqualTo(1);
        assertThat(resize.path("dead_lettered").asInt()).isEqualTo(1);
        assertThat(resize.path("failed").asInt()).isEqualTo(2);
        assertThat(resize.path("succeeded_rate").asDouble()).isEqualTo(3 / 900.0);
        JsonNode runTime = resize.path("run_time_ms");
        assertThat(runTime.path("count").asInt()).isEqualTo(5);
        assertThat(runTime.path("p50").asLong()).isEqualTo(30);
        assertThat(runTime.path("p95").asLong()).isEqualTo(50);
        assertThat(runTime.path("p99").asLong()).isEqualTo(50);
        JsonNode lastError = resize.path("last_error");
        assertThat(lastError.path("error").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(lastError.path("error_message").asText()).isEqualTo("still down");
        assertThat(lastError.path("at").asText()).isEqualTo(at(-29).toString());
        assertThat(lastError.path("message_id").asText()).isEqualTo(task);
        assertThat(types.get(1).path("task_type").asText()).isEqualTo("thumbnail");
        assertThat(types.get(1).path("last_error").isNull()).isTrue();
    }

    @Test
    void taskLookupGivesTheTimelineInTimeOrderWithItsResult() throws Exception {
        client.signIn("guest", "guest");

        HttpResponse<String> response = client.get("/api/tasks/" + task + "?since=1h");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = ConsoleClient.json(response);
        assertThat(body.path("id").asText()).isEqualTo(task);
        assertThat(body.path("task_type").asText()).isEqualTo("resize");
        assertThat(body.path("queue").asText()).isEqualTo("images");
        assertThat(body.path("complete").asBoolean()).isTrue();
        assertThat(body.path("events").findValuesAsText("event")).containsExactly("published", "received", "failed",
                "retried", "failed", "dead_lettered");
        JsonNode parked = body.path("events").get(5);
        assertThat(parked.path("v").asInt()).isEqualTo(1);
        assertThat(parked.path("attempt").asInt()).isEqualTo(2);
        assertThat(parked.path("worker").asText()).isEqualTo("worker-1");
        assertThat(parked.path("reason").asText()).isEqualTo("attempt 2 of 2 failed");
        assertThat(body.path("events").get(3).path("retry_delay_ms").asLong()).isEqualTo(1000);
        assertThat(body.path("result").asText()).isEqualTo("dead-lettered after attempt 2 (attempt 2 of 2 failed)");
        assertThat(body.path("timeline").get(0).asText()).startsWith("task " + task + " (resize, queue images)");

        JsonNode unknown = ConsoleClient.json(client.get("/api/tasks/no-such-task"));
        assertThat(unknown.path("events")).isEmpty();
        assertThat(unknown.path("result").isNull()).isTrue();
    }

    @Test
    void userWithoutReadOnTheStreamIsRefusedWith403ByBothAndTheMessageSaysSo() throws Exception {
        String user = users.create("console-no-events", PASSWORD, "", "", "^nothing-here$");
        client.signIn(user, PASSWORD);

        for (String path : List.of("/api/types", "/api/tasks/" + task)) {
            HttpResponse<String> response = client.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(ConsoleClient.json(response).path("error").asText()).as(path)
                    .isEqualTo("the broker refused: user '" + user + "' may not read the events stream '" + stream
                            + "': it needs read permission on it");
        }
    }

    @Test
    void missingStreamSaysToStartWorkersWithEvents() throws Exception {
        try (Console other = Console.start(ConsoleSecurityTest.settings(broker).withPort(0)
                .withEventsStream(queues.unique("console-no-stream")))) {
            ConsoleClient otherClient = new ConsoleClient(other);
            otherClient.signIn("guest", "guest");

            HttpResponse<String> response = otherClient.get("/api/types");

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(ConsoleClient.json(response).path("error").asText()).startsWith("no events: there is no events"
                    + " stream").contains("Start workers with --events");
        }
    }

    @Test
    void badWindowOrSinceIsRefusedWith400NamingIt() throws Exception {
        client.signIn("guest", "guest");

        HttpResponse<String> window = client.get("/api/types?window=2d");
        assertThat(window.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(window).path("error").asText()).isEqualTo("window must be from 1m to 24h, was '2d'");
        HttpResponse<String> since = client.get("/api/tasks/" + task + "?since=soon");
        assertThat(since.statusCode()).isEqualTo(400);
        assertThat(ConsoleClient.json(since).path("error").asText())
                .isEqualTo("since must be a duration such as 15m, 2h or 1d, was 'soon'");
    }

    private Instant at(long secondsFromNow) {
        return now.plusSeconds(secondsFromNow);
    }

    private Event event(String name, String id, int attempt, Instant at, Long durationMs, String error, String message,
                        String reason) {
        Long delay = "retried".equals(name) ? 1000L : null;
        String why = "dead_lettered".equals(name) ? "attempt 2 of 2 failed" : reason;
        return new Event(name, id, "resize", "images", attempt, "worker-1", at, null, durationMs, error, message, delay,
                why);
    }
}
