package com.example.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.example.images.ImageTypes.ResizeImage;
import com.example.images.ImageTypes.ResizeResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskFailedException;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.PikaScript;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example as a team ships it: worker-app's released jar, started with {@code --tasks} and this
 * example's jar, runs tasks sent by pika scripts written as RabbitMQ's tutorials write them and by
 * the typed Java API, and parks the failing ones in the dead-letter queue with their reason.
 */
class WorkerAppEndToEndTest {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration PIKA_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void workerAppRunsTheExampleJarForPikaAndTypedJavaProducers() throws Exception {
        Path tasks = ExampleJar.write(directory.resolve("image-tasks.jar"));
        String queue = queues.unique("image-tasks-e2e");
        try (ReleasedWorker worker = ReleasedWorker.start(directory, "--name", "image-tasks-e2e",
                "--uri", broker.amqpUri(), "--queue", queue, "--tasks", tasks.toString())) {
            worker.awaitLog(ReleasedWorker.CONSUMING, START);
            assertThat(worker.log()).contains("task module com.example.images.ImageTasks (from " + tasks
                    + ") registers resize_image, warm_cache");

            sendFromPika(queue);
            JsonNode reply = resizeWithPikaRpc(queue, "https://img.example/cat.jpg", 100);
            assertThat(reply.path("status").asText()).as("reply %s", reply).isEqualTo("succeeded");
            assertThat(reply.path("result").path("resized_url").asText()).isEqualTo("https://img.example/cat-100.jpg");
            // worker-app shows a team's INFO lines, each naming the task it ran for.
            assertThat(worker.log()).containsPattern("INFO  \\[[^]]+\\] PretendImageStore - \\[resize_image [0-9a-f-]{36}\\]"
                    + " pretended to resize https://img.example/cat.jpg to 100 px");

            sendFromJava(queue);

            assertThat(deadLetterReasons(queue)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "https://img.example/dog.tga", "cannot resize image/x-tga",
                    "https://img.example/cat.gif", "cannot resize image/x-gif"));
            worker.terminate();
            assertThat(worker.awaitExit(WAIT)).as("exit code; log:%n%s", worker.log()).isZero();
            assertThat(worker.log()).as("the worker's summary")
                    .contains("resize_image=4").contains("warm_cache=1").contains("; retried 0, dead-lettered 2");
        }
    }

    /** Two tasks that succeed and one whose format is unsupported, with no message_id. */
    private void sendFromPika(String queue) throws Exception {
        String[] target = {"--uri", broker.amqpUri(), "--queue", queue};
        pika("new_task.py", concat(target, "resize_image", "image_url=https://img.example/dog.png", "width=320"));
        pika("new_task.py", concat(target, "warm_cache", "image_url=https://img.example/dog.png"));
        pika("new_task.py", concat(target, "resize_image", "image_url=https://img.example/dog.tga", "width=320"));
    }

    /** Runs {@code src/test/resources/pika/<script>} to its end; returns its stdout. */
    private String pika(String script, String... args) throws Exception {
        return PikaScript.run(directory, PikaScript.resource("pika/" + script), PIKA_TIMEOUT, args);
    }

    private JsonNode resizeWithPikaRpc(String queue, String imageUrl, int width) throws Exception {
        String output = pika("resize_rpc_client.py", "--uri", broker.amqpUri(), "--queue", queue,
                "--image-url", imageUrl, "--width", String.valueOf(width));
        List<String> lines = output.strip().lines().toList();
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    /** The typed API: README's publish and request, then a request that is dead-lettered. */
    private void sendFromJava(String queue) throws Exception {
        Injector producer = Guice.createInjector(new CoreModule(
                AmqpSettings.of(broker.amqpUri()).withConnectionName("image-tasks-e2e-producer"), RouteTable.allTo(queue)));
        try {
            TaskPublisher publisher = producer.getInstance(TaskPublisher.class);
            String url = "https://img.example/cat.png";

            publisher.publish(ImageTypes.RESIZE, new ResizeImage(url, 640))
                     .get(30, TimeUnit.SECONDS);                 // completes when the broker confirmed
            ResizeResult resized = publisher.request(ImageTypes.RESIZE, new ResizeImage(url, 640))
                     .get(30, TimeUnit.SECONDS);                 // the handler's result; a dead-lettered task
                                                                 // fails it with TaskFailedException (id, type, error)

            assertThat(resized).isEqualTo(new ResizeResult("https://img.example/cat-640.png"));
            assertThatThrownBy(() -> publisher.request(ImageTypes.RESIZE, new ResizeImage("https://img.example/cat.gif", 640))
                    .get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(TaskFailedException.class, failed -> {
                        assertThat(failed.taskType()).isEqualTo("resize_image");
                        assertThat(failed.error()).isEqualTo("cannot resize image/x-gif");
                        assertThat(failed.attempts()).isEqualTo(1);
                    });
        } finally {
            producer.getInstance(AmqpConnections.class).close();
        }
    }

    /** Waits until the work queue is empty and the DLQ holds two tasks; returns each one's image URL and reason. */
    private Map<String, String> deadLetterReasons(String queue) throws Exception {
        Map<String, String> reasons = new HashMap<>();
        try (Connection connection = broker.connect("image-tasks-e2e-dlq"); Channel channel = connection.createChannel()) {
            await("two tasks in " + queue + ".dlq and none left in " + queue).atMost(WAIT)
                    .until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 2
                            && channel.queueDeclarePassive(queue).getMessageCount() == 0);
            for (GetResponse letter; (letter = channel.basicGet(queue + ".dlq", true)) != null; ) {
                Map<String, Object> headers = letter.getProps().getHeaders();
                assertThat(String.valueOf(headers.get(TaskHeaders.ERROR))).isEqualTo(UnsupportedImageException.class.getName());
                reasons.put(JSON.readTree(letter.getBody()).path("image_url").asText(),
                        String.valueOf(headers.get(TaskHeaders.ERROR_MESSAGE)));
            }
        }
        return reasons;
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
