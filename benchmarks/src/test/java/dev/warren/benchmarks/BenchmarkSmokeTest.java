package dev.warren.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.Requirements;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark command end to end with tiny measurements, so CI shows it still runs and prints
 * its tables, and the bodies its publishers put on the wire. No speed is asserted: this machine's
 * numbers are in docs/benchmarks.md.
 */
class BenchmarkSmokeTest {

    private final RabbitBroker broker = RabbitBroker.shared();

    @Test
    @Timeout(60)
    void aTinyRunPrintsEveryTableAndLeavesNoQueuesBehind() {
        Path workerJar = Path.of(System.getProperty("warren.workerJar", "../worker-app/target/worker-app.jar"));
        // worker-app's jar exists when the reactor packaged it before this module (./mvnw verify does).
        Requirements.require(Files.isRegularFile(workerJar), "worker-app's jar at "
                + workerJar.toAbsolutePath().normalize()
                + " for the worker-app process table (./mvnw -B package -pl worker-app -am -DskipTests)");
        List<String> args = new ArrayList<>(List.of("--uri", broker.amqpUri(), "--duration", "300ms", "--warmup", "0s",
                "--prefetch", "1,50", "--concurrency", "2", "--worker-jar", workerJar.toString(),
                "--processes", "1"));
        Output run = run(args);

        assertThat(run.out())
                .contains("broker   RabbitMQ")
                .contains("prefetch consumers |  publish raw   warren  w/raw |    drain raw   warren  w/raw")
                .containsPattern("(?m)^ +1 +2 \\| +[\\d,]+ +[\\d,]+ +\\d+\\.\\d\\d \\| +[\\d,]+\\*? +[\\d,]+\\*? +\\d+\\.\\d\\d$")
                .containsPattern("(?m)^ +50 +2 \\| ")
                .contains("us/task raw warren");
        assertThat(run.out()).contains("worker-app processes draining one pre-filled queue")
                .containsPattern("(?m)^ +1 \\| +[\\d,]+\\*? +1\\.00 \\|");
        assertNothingLeftBehind();
    }

    @Test
    @Timeout(60)
    void aTinyEventsRunPrintsBothDrainRatesAndTheirRatioAndDeletesItsStream() {
        List<String> args = List.of("--uri", broker.amqpUri(), "--warmup", "0s", "--prefetch", "50",
                "--concurrency", "1", "--processes", "none", "--rounds", "2", "--events", "--events-tasks", "1000");
        Output run = run(args);

        assertThat(run.out())
                .contains("Task events: drain rate of 1000 noop tasks, prefetch 50, 1 consumer(s), events off vs on")
                .containsPattern("(?m)^ +2 \\| +\\d+ +\\d+ +\\d+\\.\\d\\d \\| +\\d+\\.\\d +\\d+\\.\\d \\| \\d+, 0$")
                .containsPattern("(?m)^ median \\| +\\d+ +\\d+ +\\d+\\.\\d\\d \\|");
        assertNothingLeftBehind();
    }

    @Test
    @Timeout(60)
    void aTinyTypedRunPrintsTheTypedPublishNextToTheUntypedOne() {
        List<String> args = List.of("--uri", broker.amqpUri(), "--duration", "300ms", "--warmup", "0s",
                "--prefetch", "50", "--concurrency", "1", "--processes", "none", "--rounds", "2", "--typed");
        Output run = run(args);

        assertThat(run.err()).contains("round 1 of 2, prefetch 50, concurrency 1: typed ...");
        assertThat(run.out())
                .contains("prefetch consumers |  publish raw   warren  w/raw    typed    t/w |    drain raw   warren  w/raw")
                .containsPattern("(?m)^ +50 +1 \\| +[\\d,]+ +[\\d,]+ +\\d+\\.\\d\\d +[\\d,]+ +\\d+\\.\\d\\d \\| +[\\d,]+\\*? +[\\d,]+\\*? +\\d+\\.\\d\\d$")
                .contains("|  typed/untyped")
                .containsPattern("(?m)^ +50 +1 \\|  \\d+\\.\\d\\d \\d+\\.\\d\\d +\\|  \\d+\\.\\d\\d \\d+\\.\\d\\d +\\|  \\d+\\.\\d\\d \\d+\\.\\d\\d$")
                .contains("us/task raw warren  typed | B/task raw warren  typed");
        assertNothingLeftBehind();
    }

    @Test
    @Timeout(60)
    void aTinyDeadLettersRunTimesTheConsoleAndReplaysEveryLetter() {
        List<String> args = List.of("--uri", broker.amqpUri(), "--management-url",
                broker.management().orElseThrow().baseUri().toString(), "--dead-letters", "1000",
                "--dead-letters-baseline", "100");
        Output run = run(args);

        assertThat(run.out())
                .contains("Dead letters: 1,000 in one DLQ")
                .containsPattern("(?m)^  GET /api/dead-letters, page 1 of 50 \\(first request\\) +\\| +\\d+\\.\\d\\d \\|")
                .containsPattern("(?m)^  GET \\.\\.\\.&text=<one letter's error message> +\\| +\\d+\\.\\d\\d \\| +[\\d,]+$")
                .containsPattern("(?m)^  bulk replay of all, rate=20000, window 1000 \\(DONE\\) +\\| +\\d+\\.\\d\\d \\| +[\\d,]+$")
                .containsPattern("(?m)^  baseline: replay one by one, confirm each \\(100\\) +\\| +\\d+\\.\\d\\d \\| +[\\d,]+$")
                .contains("after the bulk replay: 1,000 in the work queue, 0 left in the DLQ");
        assertNothingLeftBehind();
    }

    /** What a benchmark run printed. */
    private record Output(String out, String err) {
    }

    /** Runs the benchmark command with {@code args} in this JVM; it must exit 0. */
    private static Output run(List<String> args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = ExitCodes.commandLine(new Benchmark()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args.toArray(String[]::new));
        assertThat(code).as("exit code; stderr: %s", err).isEqualTo(ExitCodes.OK);
        return new Output(out.toString(), err.toString());
    }

    private void assertNothingLeftBehind() {
        var management = broker.management().orElseThrow(() ->
                new AssertionError("the broker's management API is needed to list queues: " + broker));
        assertThat(management.queueNames()).as("queues and streams left behind")
                .noneMatch(name -> name.startsWith("warren-bench-"));
    }

    @Test
    @Timeout(60)
    void theRawUntypedAndTypedPublishersSendTheSameBody() throws Exception {
        String queue = QueueAdmin.uniqueName("same-body");
        ObjectMapper mapper = CoreModule.newObjectMapper();
        TaskBodies bodies = new TaskBodies(mapper, 200);
        // The typed call takes its queue from the route table, as in a benchmark run.
        Injector publishing = Guice.createInjector(new CoreModule(AmqpSettings.of(broker.amqpUri())
                .withConnectionName("warren-bench-same-body"), RouteTable.allTo(queue)));
        try (Connection connection = broker.connect("warren-bench-same-body-raw");
             AmqpConnections connections = publishing.getInstance(AmqpConnections.class)) {
            QueueAdmin admin = new QueueAdmin(connection);
            admin.declare(queue);
            try {
                TaskPublisher publisher = publishing.getInstance(TaskPublisher.class);
                // Each sends its first task, n = 0, in this order.
                new RawPublisher(connection, bodies, 10).publish(queue, 1, Long.MAX_VALUE);
                new WarrenPublisher(publisher, bodies, 10).publish(queue, 1, Long.MAX_VALUE);
                new TypedPublisher(publisher, queue, bodies, 10).publish(queue, 1, Long.MAX_VALUE);

                List<GetResponse> sent = new ArrayList<>();
                try (Channel channel = connection.createChannel()) {
                    for (GetResponse response; (response = channel.basicGet(queue, true)) != null; ) {
                        sent.add(response);
                    }
                }
                assertThat(sent).hasSize(3);
                assertThat(sent).allSatisfy(response -> {
                    assertThat(new String(response.getBody(), StandardCharsets.UTF_8))
                            .matches("\\{\"task_type\":\"noop\",\"n\":0,\"padding\":\"x+\"}");
                    assertThat(response.getBody()).hasSize(194);   // --body-bytes 200, n has 1 digit, not 7
                    assertThat(response.getProps().getType()).isEqualTo("noop");
                    assertThat(response.getProps().getContentType()).isEqualTo("application/json");
                    assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
                });
                assertThat(sent.get(2).getBody()).as("typed body, byte for byte").isEqualTo(sent.get(1).getBody())
                        .isEqualTo(sent.get(0).getBody());
            } finally {
                admin.delete(queue);
            }
        }
    }
}
