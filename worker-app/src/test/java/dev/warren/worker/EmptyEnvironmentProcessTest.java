package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.testing.QueueCleanup;
import dev.warren.core.testing.RabbitBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A {@code WARREN_*} variable set to nothing, as docker-compose writes {@code WARREN_METRICS_PORT=},
 * counts as unset (README, "Configuration"): a real worker-app process whose every variable is
 * empty starts, consumes and stops as one with none set.
 */
class EmptyEnvironmentProcessTest {

    private static final Pattern VARIABLE = Pattern.compile("WARREN_[A-Z_]+");

    @RegisterExtension
    final QueueCleanup queues = new QueueCleanup();

    @TempDir
    Path directory;

    @Test
    void everyWarrenVariableSetEmptyCountsAsUnset() throws Exception {
        Map<String, String> empty = new TreeMap<>();
        for (OptionSpec option : new CommandLine(new WorkerCommand()).getCommandSpec().options()) {
            Matcher names = VARIABLE.matcher(String.join(" ", option.description()));
            while (names.find()) {
                empty.put(names.group(), "");
            }
        }
        assertThat(empty).containsKeys("WARREN_METRICS_PORT", "WARREN_DELIVERY_LIMIT", "WARREN_BROKER_CONSUMER_TIMEOUT",
                "WARREN_CONCURRENCY", "WARREN_RETRY_MAX_ATTEMPTS", "WARREN_AMQP_PASSWORD", "WARREN_TASKS");

        try (WorkerProcess worker = WorkerProcess.start(directory, "empty-env", empty, "--demo",
                "--uri", RabbitBroker.shared().amqpUri(), "--queue", queues.unique("empty-env"))) {
            worker.awaitConsuming(Duration.ofSeconds(60));
            worker.terminate();

            assertThat(worker.awaitExit(Duration.ofSeconds(60))).as("exit code; output:%n%s", worker.log()).isZero();
            assertThat(worker.log()).contains("with 1 consumer(s), prefetch 1").doesNotContain("Invalid value");
        }
    }
}
