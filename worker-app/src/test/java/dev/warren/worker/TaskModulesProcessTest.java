package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.core.spi.UnknownTaskTypeException;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.wire.TaskHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real worker JVMs running a team's tasks: a module found through a services file on the class
 * path and in {@code WARREN_TASKS}, a team's own {@code main} through {@link WarrenWorker}, and a
 * worker without {@code --demo} that a published {@code crash} task cannot stop.
 */
class TaskModulesProcessTest {

    private static final Duration START = Duration.ofSeconds(60);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();
    private final List<WorkerProcess> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(WorkerProcess::close);
    }

    @Test
    void modulesListedInServicesFilesOnTheClassPathAndInWarrenTasksRunSideBySide() throws Exception {
        Path greet = moduleJar("greet.jar", "team.greet.GreetTasks", "greet");
        Path images = moduleJar("images.jar", "team.images.ImageTasks", "resize_image");
        String queue = queues.unique("tasks-classpath");
        WorkerProcess worker = start(List.of(greet), WorkerApp.class.getName(), Map.of("WARREN_TASKS", images.toString()),
                "--uri", broker.amqpUri(), "--queue", queue);
        worker.awaitConsuming(START);

        publishAndAwaitRun(worker, queue, "greet");
        publishAndAwaitRun(worker, queue, "resize_image");
        worker.terminate();

        assertThat(worker.awaitExit(Duration.ofSeconds(30))).as("exit code; log:%n%s", worker.log()).isZero();
        assertThat(worker.log()).contains("task module team.greet.GreetTasks (from " + greet + ") registers greet")
                .contains("task module team.images.ImageTasks (from " + images + ") registers resize_image");
    }

    @Test
    void aCrashTaskSentToAWorkerWithoutDemoIsParkedAsAnUnknownTypeAndTheWorkerKeepsRunning() throws Exception {
        String queue = queues.unique("tasks-nocrash");
        WorkerProcess worker = start(List.of(moduleJar("greet.jar", "team.greet.GreetTasks", "greet")),
                WorkerApp.class.getName(), Map.of(), "--uri", broker.amqpUri(), "--queue", queue);
        worker.awaitConsuming(START);

        try (Connection connection = broker.connect("tasks-crash-test"); Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("crash-1").build(),
                    "{\"task_type\": \"crash\"}".getBytes(StandardCharsets.UTF_8));
            await("the crash task in the DLQ").atMost(Duration.ofSeconds(30))
                    .failFast("the worker exited", () -> !worker.isAlive())
                    .until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1);

            GetResponse parked = channel.basicGet(queue + ".dlq", true);
            assertThat(parked.getProps().getMessageId()).isEqualTo("crash-1");
            assertThat(String.valueOf(parked.getProps().getHeaders().get(TaskHeaders.ERROR)))
                    .isEqualTo(UnknownTaskTypeException.class.getName());
        }
        publishAndAwaitRun(worker, queue, "greet");
        assertThat(worker.isAlive()).as("the worker still runs").isTrue();
        worker.terminate();
        assertThat(worker.awaitExit(Duration.ofSeconds(30))).as("exit code; log:%n%s", worker.log()).isZero();
    }

    @Test
    void aTeamsOwnMainRunsItsModuleWithWorkerAppsFlagsAndStopsGracefullyOnSigterm() throws Exception {
        Path jar = new TaskJar().source("team.images.ImageWorker", """
                package team.images;

                import com.fasterxml.jackson.databind.JsonNode;
                import dev.warren.core.task.TaskContext;
                import dev.warren.core.task.TaskHandler;
                import dev.warren.core.task.TaskModule;
                import dev.warren.worker.WarrenWorker;
                import com.google.inject.name.Named;
                import com.google.inject.name.Names;
                import jakarta.inject.Inject;

                public final class ImageWorker {
                    public static void main(String[] args) {
                        WarrenWorker.runAndExit(args, new ImageTasks("s3://images"));
                    }

                    /** Takes its settings in its constructor: not a ServiceLoader module. */
                    static final class ImageTasks extends TaskModule {
                        private final String bucket;

                        ImageTasks(String bucket) {
                            this.bucket = bucket;
                        }

                        @Override
                        protected void configureTasks() {
                            bind(String.class).annotatedWith(Names.named("bucket")).toInstance(bucket);
                            bindTask("resize_image", JsonNode.class, Resize.class);
                        }
                    }

                    public static final class Resize implements TaskHandler<JsonNode, Void> {
                        private final String bucket;

                        @Inject
                        public Resize(@Named("bucket") String bucket) {
                            this.bucket = bucket;
                        }

                        @Override
                        public Void handle(JsonNode payload, TaskContext context) {
                            org.slf4j.LoggerFactory.getLogger(ImageWorker.class)
                                    .warn("{} ran {} into {}", context.taskType(), context.messageId(), bucket);
                            return null;
                        }
                    }
                }
                """).writeJar(directory.resolve("image-worker.jar"));
        String queue = queues.unique("tasks-own-main");
        WorkerProcess worker = start(List.of(jar), "team.images.ImageWorker", Map.of("WARREN_CONCURRENCY", "2"),
                "--uri", broker.amqpUri(), "--queue", queue, "--retry-delays", "200ms");
        worker.awaitConsuming(START);

        String id = publishAndAwaitRun(worker, queue, "resize_image");
        try (Connection connection = broker.connect("tasks-test"); Channel channel = connection.createChannel()) {
            channel.queueDeclarePassive(queue + ".retry.200ms");                 // the ladder of --retry-delays
        }
        worker.terminate();

        assertThat(worker.awaitExit(Duration.ofSeconds(30))).as("exit code; log:%n%s", worker.log()).isZero();
        assertThat(worker.log())
                .contains("resize_image ran " + id + " into s3://images")
                .contains("task module team.images.ImageWorker$ImageTasks (from WarrenWorker.run) registers resize_image")
                .contains("consuming '" + queue + "' with 2 consumer(s)")         // WARREN_CONCURRENCY
                .contains(WorkerProcess.STOPPED + "processed 1 tasks");
    }

    private Path moduleJar(String name, String className, String type) throws IOException {
        return new TaskJar().source(className, TaskJar.module(className, type)).service(className)
                .writeJar(directory.resolve(name));
    }

    private WorkerProcess start(List<Path> classPath, String mainClass, Map<String, String> environment, String... args) {
        WorkerProcess worker = WorkerProcess.start(directory, "tasks-" + workers.size(), classPath, mainClass,
                environment, args);
        workers.add(worker);
        return worker;
    }

    /** Publishes a task of {@code type} as pika would, waits until the worker logged that its handler ran; returns its id. */
    private String publishAndAwaitRun(WorkerProcess worker, String queue, String type) throws Exception {
        String id = type + "-" + System.nanoTime();
        try (Connection connection = broker.connect("tasks-test"); Channel channel = connection.createChannel()) {
            channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id).build(),
                    ("{\"task_type\": \"" + type + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        worker.awaitLog(type + " ran " + id, Duration.ofSeconds(30));
        return id;
    }
}
