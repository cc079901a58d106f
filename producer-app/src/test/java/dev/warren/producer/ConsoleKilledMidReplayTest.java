package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.retry.ReplayPace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code producer-app console} as a process of its own, killed with {@code kill -9} while a bulk
 * replay moves 20,000 dead letters: no letter is lost, and the only duplicates are letters whose
 * copy had been sent but whose original was not yet removed, at most the replay's window.
 */
class ConsoleKilledMidReplayTest {

    private static final int LETTERS = 20_000;
    /** Killed once the work queue holds this many copies: well inside the replay. */
    private static final int KILL_AFTER = 6_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private ConsoleProcess console;

    @AfterEach
    void killConsole() {
        if (console != null) {
            console.close();
        }
    }

    @Test
    void killedMidReplayLosesNoLetterAndDuplicatesAtMostTheWindow() throws Exception {
        String queue = queues.unique("console-kill");
        String dlq = queue + ".dlq";
        try (Connection connection = broker.connect("console-kill-test"); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(dlq, true, false, false, null);
            fill(channel, dlq);

            console = ConsoleProcess.start(broker, directory.resolve("console.log"));
            HttpClient http = console.http();
            URI base = console.base();
            HttpResponse<String> signIn = console.signIn("guest", "guest");
            assertThat(signIn.statusCode()).isEqualTo(200);
            String csrf = JSON.readTree(signIn.body()).path("csrf_token").asText();
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(
                    base.resolve("/api/dead-letters/replay-matching?queue=" + queue + "&rate=5000"))
                    .header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> channel.queueDeclarePassive(queue).getMessageCount() >= KILL_AFTER);
            console.process().destroyForcibly().waitFor();

            // The broker returns the dead console's unacknowledged originals once it notices the closed connection.
            await().atMost(Duration.ofSeconds(30)).until(() -> channel.queueDeclarePassive(dlq).getConsumerCount() == 0);
            Map<String, Integer> inDlq = drain(channel, dlq);
            Map<String, Integer> inWork = drain(channel, queue);
            Map<String, Integer> everywhere = new HashMap<>(inDlq);
            inWork.forEach((id, n) -> everywhere.merge(id, n, Integer::sum));
            long duplicates = everywhere.values().stream().filter(n -> n > 1).count();
            System.out.printf("killed mid-replay: %d letters in the DLQ, %d copies in the work queue, %d duplicated%n",
                    inDlq.size(), inWork.size(), duplicates);

            List<String> lost = IntStream.range(0, LETTERS).mapToObj(i -> "letter-" + i)
                    .filter(id -> !everywhere.containsKey(id)).toList();
            assertThat(lost).as("letters in neither the DLQ nor the work queue").isEmpty();
            assertThat(everywhere).as("no other message appeared").hasSize(LETTERS);
            assertThat(inDlq).as("the replay was killed before it ended").isNotEmpty();
            assertThat(inWork.size()).as("the replay was killed after it began").isGreaterThanOrEqualTo(KILL_AFTER);
            assertThat(everywhere.values()).as("no letter more than twice").allMatch(n -> n <= 2);
            assertThat(duplicates).as("duplicates: copies sent whose originals were not removed yet")
                    .isLessThanOrEqualTo(ReplayPace.DEFAULT_WINDOW);
        }
    }

    private static void fill(Channel channel, String dlq) throws Exception {
        channel.confirmSelect();
        for (int i = 0; i < LETTERS; i++) {
            channel.basicPublish("", dlq, new AMQP.BasicProperties.Builder().messageId("letter-" + i).type("fail")
                    .deliveryMode(2).headers(Map.of("x-warren-attempt", 5, "x-warren-error", "java.io.IOException",
                            "x-warren-error-message", "disk full"))
                    .build(), ("{\"task_type\":\"fail\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(60_000);
    }

    /** Takes every message off {@code queue}, counting each message id. */
    private static Map<String, Integer> drain(Channel channel, String queue) throws Exception {
        Map<String, Integer> ids = new HashMap<>();
        for (GetResponse response = channel.basicGet(queue, true); response != null; response = channel.basicGet(queue, true)) {
            ids.merge(response.getProps().getMessageId(), 1, Integer::sum);
        }
        return ids;
    }
}
