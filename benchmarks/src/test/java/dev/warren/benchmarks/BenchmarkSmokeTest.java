package dev.warren.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.cli.ExitCodes;
import dev.warren.core.testing.RabbitBroker;
import dev.warren.core.testing.Requirements;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark command end to end with tiny measurements, so CI shows it still runs and prints
 * its tables. No speed is asserted: this machine's numbers are in docs/benchmarks.md.
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
        var out = new StringWriter();
        var err = new StringWriter();

        int code = ExitCodes.commandLine(new Benchmark()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args.toArray(String[]::new));

        assertThat(code).as("exit code; stderr: %s", err).isEqualTo(ExitCodes.OK);
        assertThat(out.toString())
                .contains("broker   RabbitMQ")
                .contains("prefetch consumers |  publish raw   warren  w/raw |    drain raw   warren  w/raw")
                .containsPattern("(?m)^ +1 +2 \\| +[\\d,]+ +[\\d,]+ +\\d+\\.\\d\\d \\| +[\\d,]+\\*? +[\\d,]+\\*? +\\d+\\.\\d\\d$")
                .containsPattern("(?m)^ +50 +2 \\| ")
                .contains("us/task raw warren");
        assertThat(out.toString()).contains("worker-app processes draining one pre-filled queue")
                .containsPattern("(?m)^ +1 \\| +[\\d,]+\\*? +1\\.00 \\|");
        var management = broker.management().orElseThrow(() ->
                new AssertionError("the broker's management API is needed to list queues: " + broker));
        assertThat(management.queueNames()).as("queues left behind")
                .noneMatch(name -> name.startsWith("warren-bench-"));
    }
}
