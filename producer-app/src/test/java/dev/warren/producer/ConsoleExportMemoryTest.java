package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's dead-letter export in a JVM of its own with {@link ConsoleProcess#MAX_HEAP}: an
 * export about half that heap holds every letter. Built in memory (the export, then its copy
 * into a byte array) it needed about three times its size, more than the heap: the request died
 * with an OutOfMemoryError and the client got a cut-off reply.
 */
class ConsoleExportMemoryTest {

    private static final int LETTERS = 2_000;
    private static final int BODY_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void exportOfHalfTheHeapStreamsEveryLetter() throws Exception {
        String queue = queues.unique("console-export-memory");
        try (Connection connection = broker.connect("console-export-memory-test");
             Channel channel = connection.createChannel();
             ConsoleProcess console = ConsoleProcess.start(broker, directory.resolve("console.log"))) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueDeclare(queue + ".dlq", true, false, false, null);
            channel.confirmSelect();
            String padding = "x".repeat(BODY_BYTES - 64);
            for (int i = 0; i < LETTERS; i++) {
                channel.basicPublish("", queue + ".dlq", new AMQP.BasicProperties.Builder().messageId("letter-" + i)
                        .type("big").build(), ("{\"task_type\":\"big\",\"n\":" + i + ",\"padding\":\"" + padding + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(60_000);

            assertThat(console.signIn("guest", "guest").statusCode()).isEqualTo(200);
            HttpResponse<Stream<String>> export = console.http().send(HttpRequest.newBuilder(
                    console.base().resolve("/api/dead-letters/export?queue=" + queue)).build(),
                    HttpResponse.BodyHandlers.ofLines());

            assertThat(export.statusCode()).isEqualTo(200);
            int lines = 0;
            String lastId = null;
            try (Stream<String> body = export.body()) {
                for (Iterator<String> it = body.iterator(); it.hasNext(); lines++) {
                    lastId = JSON.readTree(it.next()).path("letter").path("id").asText();
                }
            }
            assertThat(lines).isEqualTo(LETTERS);
            assertThat(lastId).isEqualTo("letter-" + (LETTERS - 1));
            assertThat(channel.queueDeclarePassive(queue + ".dlq").getMessageCount()).isEqualTo(LETTERS);
        }
    }
}
