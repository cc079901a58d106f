package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.spi.TaskOutcome;
import dev.warren.core.testing.PikaScript;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pika reader of docs/events.md, taken from the doc as it is, reads what a worker-app worker
 * started with {@code --events} wrote: the stream is readable by a client no one here wrote.
 */
class EventsPikaReaderTest {

    private static final Pattern PYTHON_BLOCK = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void theDocumentedPikaReaderPrintsTheEventsOfAWorkerStartedWithEvents() throws Exception {
        String queue = queues.unique("events-pika");
        String stream = queues.unique("events-pika-stream");
        List<String> ids = List.of("pika-events-1", "pika-events-2", "pika-events-3");
        try (var worker = InProcessWorker.start(broker.amqpUri(), queue, "--demo", "--events", "--events-stream", stream,
                "--name", "pika-events-worker")) {
            try (Connection connection = broker.connect("events-pika-producer");
                 Channel channel = connection.createChannel()) {
                for (String id : ids) {
                    channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2)
                            .build(), "{\"task_type\":\"noop\"}".getBytes(StandardCharsets.UTF_8));
                }
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> worker.worker().stats().count(TaskOutcome.SUCCEEDED) == ids.size());
        }
        Path script = directory.resolve("read_events.py");
        Files.writeString(script, documentedReader());

        try (var reader = PikaScript.start(directory, script, stream, broker.amqpUri())) {
            assertThat(reader.awaitExit(Duration.ofSeconds(30))).as("%s", reader).isZero();
            List<String> lines = reader.stdout().lines().toList();
            for (String id : ids) {
                assertThat(lines).as("%s", reader).filteredOn(line -> line.contains(" " + id + " "))
                        .extracting(line -> line.split(" ")[1])
                        .containsExactly("received", "started", "succeeded");
            }
            assertThat(lines).hasSize(3 * ids.size())
                    .allSatisfy(line -> assertThat(line).contains("noop attempt 1 worker pika-events-worker"));
        }
    }

    /** The one python block of docs/events.md. */
    private static String documentedReader() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path doc = at.resolve("docs/events.md");
            if (Files.isRegularFile(doc)) {
                try {
                    Matcher block = PYTHON_BLOCK.matcher(Files.readString(doc));
                    assertThat(block.find()).as("a python block in %s", doc).isTrue();
                    return block.group(1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new AssertionError("no docs/events.md above " + Path.of("").toAbsolutePath());
    }
}
