package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * worker-app runs a team's task modules without a fork: {@code --tasks} names jars (or a folder of
 * them, or a classes directory) whose services file lists {@code TaskModule}s, built here at run
 * time so their classes are on no class path but the jar's. And it refuses to start, with exit 2
 * and one line naming the module, the jar and the type, when that goes wrong.
 */
class TaskDiscoveryTest {

    private static final Duration ENDS_WITHIN = Duration.ofSeconds(20);

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    void aModuleInAJarGivenWithTasksRunsItsTypesAndTheLogNamesTheJar() throws Exception {
        Path jar = greetJar("greet.jar");
        String queue = queues.unique("tasks-jar");

        WorkerRun run = runningEach(queue, List.of("greet"), "--tasks", jar.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("task module team.greet.GreetTasks (from " + jar + ") registers greet")
                .containsPattern("task types: greet(\\R|$)"); // no demo type without --demo
    }

    @Test
    void everyJarInAFolderGivenWithTasksIsLoaded() throws Exception {
        Path folder = Files.createDirectory(directory.resolve("tasks"));
        Path greet = greetJar("tasks/greet.jar");
        Path resize = new TaskJar().source("team.images.ImageTasks", TaskJar.module("team.images.ImageTasks", "resize_image"))
                .service("team.images.ImageTasks").writeJar(folder.resolve("images.jar"));
        String queue = queues.unique("tasks-folder");

        WorkerRun run = runningEach(queue, List.of("greet", "resize_image"), "--tasks", folder.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("task module team.greet.GreetTasks (from " + greet + ") registers greet")
                .contains("task module team.images.ImageTasks (from " + resize + ") registers resize_image");
    }

    @Test
    void aClassesDirectoryGivenWithTasksIsLoaded() throws Exception {
        Path classes = new TaskJar().source("team.greet.GreetTasks", TaskJar.module("team.greet.GreetTasks", "greet"))
                .service("team.greet.GreetTasks").writeClasses(Files.createDirectory(directory.resolve("classes")));
        String queue = queues.unique("tasks-classes");

        WorkerRun run = runningEach(queue, List.of("greet"), "--tasks", classes.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("task module team.greet.GreetTasks (from " + classes + ") registers greet");
    }

    @Test
    void anExceptionClassFromATasksJarNamedNonRetryableSendsItsTaskStraightToTheDlq() throws Exception {
        Path jar = new TaskJar().source("team.pay.CardDeclined", """
                package team.pay;

                public final class CardDeclined extends RuntimeException {
                    public CardDeclined(String message) {
                        super(message);
                    }
                }
                """).source("team.pay.PayTasks", """
                package team.pay;

                import com.fasterxml.jackson.databind.JsonNode;
                import dev.warren.core.task.TaskContext;
                import dev.warren.core.task.TaskHandler;
                import dev.warren.core.task.TaskModule;

                public final class PayTasks extends TaskModule {
                    @Override
                    protected void configureTasks() {
                        bindTask("charge", JsonNode.class, Charge.class);
                    }

                    public static final class Charge implements TaskHandler<JsonNode, Void> {
                        @Override
                        public Void handle(JsonNode payload, TaskContext context) {
                            throw new CardDeclined("card declined for " + context.messageId());
                        }
                    }
                }
                """).service("team.pay.PayTasks").writeJar(directory.resolve("pay.jar"));
        String queue = queues.unique("tasks-non-retryable");
        String id = "charge-" + System.nanoTime();

        WorkerRun run = WorkerRun.consuming(() -> {
            try (Connection connection = broker.connect("tasks-test"); Channel channel = connection.createChannel()) {
                channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id).build(),
                        "{\"task_type\": \"charge\"}".getBytes(StandardCharsets.UTF_8));
                await("the charge task in " + queue + ".dlq").atMost(Duration.ofSeconds(20))
                        .until(() -> channel.queueDeclarePassive(queue + ".dlq").getMessageCount() == 1);
            }
        }, "--uri", broker.amqpUri(), "--queue", queue, "--tasks", jar.toString(),
                "--retry-non-retryable", "team.pay.CardDeclined", "--retry-delays", "1m");

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
        assertThat(run.log()).contains("card declined for " + id);
        assertThat(run.log()).doesNotContain("retrying");
    }

    @Test
    void aTaskTypeRegisteredByTwoModulesExitsTwoNamingTheTypeBothModulesAndTheirJars() throws Exception {
        Path first = greetJar("greet.jar");
        Path second = new TaskJar().source("team.other.OtherTasks", TaskJar.module("team.other.OtherTasks", "other", "greet"))
                .service("team.other.OtherTasks").writeJar(directory.resolve("other.jar"));

        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-duplicate"), "--tasks", first + "," + second);

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("task type 'greet' is registered twice")
                .contains("team.greet.GreetTasks (from " + first + ")")
                .contains("team.other.OtherTasks (from " + second + ")")
                .doesNotContain("\tat ");
    }

    @Test
    void twoVersionsOfAJarInATasksFolderExitTwoNamingBothJarsAndTheModule() throws Exception {
        Path folder = Files.createDirectory(directory.resolve("tasks"));
        Path older = new TaskJar().source("team.greet.GreetTasks", TaskJar.module("team.greet.GreetTasks", "greet"))
                .service("team.greet.GreetTasks").writeJar(folder.resolve("greet-1.0.jar"));
        Path newer = new TaskJar().source("team.greet.GreetTasks", TaskJar.module("team.greet.GreetTasks", "greet", "wave"))
                .service("team.greet.GreetTasks").writeJar(folder.resolve("greet-1.1.jar"));

        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-two-versions"), "--tasks", folder.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("task module team.greet.GreetTasks is listed by more than one --tasks jar")
                .contains(older.toString()).contains(newer.toString())
                .doesNotContain("\tat ");
    }

    @Test
    void aModuleWhoseConstructorThrowsExitsTwoNamingTheModuleItsJarAndWhy() throws Exception {
        Path jar = new TaskJar().source("team.broken.BrokenTasks", """
                package team.broken;

                public final class BrokenTasks extends dev.warren.core.task.TaskModule {
                    public BrokenTasks() {
                        throw new IllegalStateException("IMAGE_STORE_URL is not set");
                    }

                    @Override
                    protected void configureTasks() {
                    }
                }
                """).service("team.broken.BrokenTasks").writeJar(directory.resolve("broken.jar"));

        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-broken"), "--demo", "--tasks", jar.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("task module team.broken.BrokenTasks (listed in " + jar + ") cannot be created")
                .contains("IMAGE_STORE_URL is not set")
                .doesNotContain("\tat ");
    }

    @Test
    void aModuleWhoseConfigureThrowsExitsTwoNamingTheModuleItsJarAndWhy() throws Exception {
        Path jar = new TaskJar().source("team.config.ConfigTasks", """
                package team.config;

                public final class ConfigTasks extends dev.warren.core.task.TaskModule {
                    @Override
                    protected void configureTasks() {
                        throw new IllegalStateException("BUCKET is not set");
                    }
                }
                """).service("team.config.ConfigTasks").writeJar(directory.resolve("config.jar"));

        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-configure"), "--demo", "--tasks", jar.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("task module team.config.ConfigTasks (from " + jar + ") cannot be configured")
                .contains("BUCKET is not set")
                .doesNotContain("\tat ");
    }

    @Test
    void aModuleClassMissingFromItsJarExitsTwoNamingTheClassAndTheJar() throws Exception {
        Path jar = new TaskJar().service("team.gone.GoneTasks").writeJar(directory.resolve("gone.jar"));

        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-missing"), "--demo", "--tasks", jar.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("task module team.gone.GoneTasks (listed in " + jar + ") cannot be loaded")
                .contains("not found")
                .doesNotContain("\tat ");
    }

    @Test
    void aTasksPathThatDoesNotExistExitsTwoNamingIt() throws Exception {
        Path missing = directory.resolve("no-such.jar");

        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-nopath"), "--demo", "--tasks", missing.toString());

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--tasks: " + missing + " does not exist").doesNotContain("\tat ");
    }

    @Test
    void aWorkerWithNoTaskTypeExitsTwoSayingHowToAddOne() throws Exception {
        WorkerRun run = WorkerRun.endingWithin(ENDS_WITHIN, "--uri", broker.amqpUri(), "--queue",
                queues.unique("tasks-none"));

        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no task types to run")
                .contains("--tasks").contains("META-INF/services/dev.warren.core.task.TaskModule").contains("--demo")
                .doesNotContain("\tat ");
    }

    private Path greetJar(String name) throws Exception {
        return new TaskJar().source("team.greet.GreetTasks", TaskJar.module("team.greet.GreetTasks", "greet"))
                .service("team.greet.GreetTasks").writeJar(directory.resolve(name));
    }

    /**
     * Runs a worker on {@code queue} with {@code args} and, once it consumes, publishes one task of
     * each of {@code types} as pika would, waiting until its handler ran; then stops it.
     */
    private WorkerRun runningEach(String queue, List<String> types, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--uri", broker.amqpUri(), "--queue", queue));
        all.addAll(List.of(args));
        try (LogCapture handlers = LogCapture.of("team")) {
            return WorkerRun.consuming(() -> {
                for (String type : types) {
                    String id = type + "-" + System.nanoTime();
                    try (Connection connection = broker.connect("tasks-test"); Channel channel = connection.createChannel()) {
                        channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id)
                                .build(), ("{\"task_type\": \"" + type + "\"}").getBytes(StandardCharsets.UTF_8));
                    }
                    await(type + " to run").atMost(Duration.ofSeconds(20))
                            .until(() -> handlers.text().contains(type + " ran " + id));
                }
            }, all.toArray(String[]::new));
        }
    }
}
