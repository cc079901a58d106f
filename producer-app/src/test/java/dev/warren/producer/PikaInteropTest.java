package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.PikaScript;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Warren {@code send} is received by the classic pika consumer ({@code queue_declare(durable=True)},
 * manual acks) as a persistent message with the flat JSON body of docs/wire-format.md. The pika scripts live
 * with worker-app's interop tests ({@code worker-app/src/test/resources/interop}); this test runs
 * the consumer from there, as {@code send} lives here.
 */
class PikaInteropTest {

    private static final Path CONSUMER = Path.of("..", "worker-app", "src", "test", "resources", "interop",
            "pika_consumer.py");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aWarrenSendIsReceivedByAPikaConsumer() throws Exception {
        String queue = queues.unique("warren-to-pika");
        try (var consumer = PikaScript.start(directory, CONSUMER,
                "--uri", broker.amqpUri(), "--queue", queue, "--count", "1", "--timeout", "20")) {
            // pika declares the queue (durable=True) and consumes; then Warren's send routes to it.
            await("the pika consumer consuming '" + queue + "'").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .failFast("the pika consumer exited", () -> !consumer.isAlive())
                    .until(() -> consumers(queue) == 1);

            var out = new StringWriter();
            var err = new StringWriter();
            int exitCode = ExitCodes.commandLine(new ProducerApp())
                    .setOut(new PrintWriter(out, true))
                    .setErr(new PrintWriter(err, true))
                    .execute("send", "--uri", broker.amqpUri(), "--queue", queue, "--type", "send_welcome_email",
                            "--field", "user_id=123", "--field", "email=user@example.com",
                            "--field", "user_name=John Doe");
            assertThat(exitCode).as("send's exit code; stderr: %s", err).isZero();
            String messageId = out.toString().strip();

            assertThat(consumer.awaitExit(SCRIPT_TIMEOUT)).as("pika consumer exit: %s", consumer).isZero();
            List<String> lines = consumer.stdout().lines().toList();
            assertThat(lines).hasSize(1);
            JsonNode seen = JSON.readTree(lines.get(0));

            assertThat(seen.path("delivery_mode").asInt()).as("delivery_mode").isEqualTo(2);
            assertThat(seen.path("content_type").asText()).isEqualTo("application/json");
            assertThat(seen.path("message_id").asText()).isEqualTo(messageId);
            assertThat(seen.path("type").asText()).isEqualTo("send_welcome_email");
            JsonNode body = seen.path("body");
            assertThat(body).isEqualTo(JSON.readTree("{\"task_type\": \"send_welcome_email\", \"user_id\": 123,"
                    + " \"email\": \"user@example.com\", \"user_name\": \"John Doe\"}"));
            assertThat(body.path("user_id").isIntegralNumber()).as("user_id is a JSON number").isTrue();
        }
    }

    private int consumers(String queue) {
        try (Connection connection = broker.connect("warren-test-pika-probe");
             Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue).getConsumerCount();
        } catch (Exception notDeclaredYet) {
            return -1;
        }
    }
}
