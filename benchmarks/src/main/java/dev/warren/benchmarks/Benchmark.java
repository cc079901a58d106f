package dev.warren.benchmarks;

import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.DurationConverter;
import dev.warren.cli.ExitCodes;
import dev.warren.core.config.InvalidSettingException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/benchmark}: raw amqp-client against Warren on the same broker, in one run, and
 * worker-app process scaling. Prints the tables on stdout and progress on stderr. Creates queues
 * named {@code warren-bench-*} and deletes them.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Measures, on the same broker and in one run, a raw amqp-client publisher (confirms, window) and"
                + " consumer (parse JSON, ack each) against Warren's TaskPublisher and worker with a noop handler,"
                + " for each prefetch and concurrency; then K worker-app processes draining a pre-filled queue.",
            "Prints publish and drain rates with the Warren/raw ratios, and the consumer's CPU and heap."})
public final class Benchmark implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "Length of each publish and each drain measurement (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "3s",
            description = "Unmeasured publish and drain of each side first, for the JIT (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--prefetch", paramLabel = "P,...", defaultValue = "1,250",
            description = "Prefetch values to measure (default ${DEFAULT-VALUE}).")
    String prefetches;

    @Option(names = "--concurrency", paramLabel = "C,...", defaultValue = "1,4",
            description = "Consumer counts to measure (default ${DEFAULT-VALUE}).")
    String concurrencies;

    @Option(names = "--window", paramLabel = "N", defaultValue = "1000",
            description = "Publishes awaiting a confirm, both sides; producer-app load's default (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--body-bytes", paramLabel = "BYTES", defaultValue = "200",
            description = "Size of each task's JSON body (default ${DEFAULT-VALUE}).")
    int bodyBytes;

    @Option(names = "--processes", paramLabel = "K,...|none", defaultValue = "1,2,4",
            description = "worker-app process counts to measure, or 'none' (default ${DEFAULT-VALUE}).")
    String processes;

    @Option(names = "--process-prefetch", paramLabel = "P", defaultValue = "250",
            description = "Prefetch of each worker-app process (default ${DEFAULT-VALUE}).")
    int processPrefetch;

    @Option(names = "--process-concurrency", paramLabel = "C", defaultValue = "1",
            description = "Consumers of each worker-app process (default ${DEFAULT-VALUE}).")
    int processConcurrency;

    @Option(names = "--worker-jar", paramLabel = "JAR", defaultValue = "worker-app/target/worker-app.jar",
            description = "worker-app's shaded jar (default ${DEFAULT-VALUE}).")
    Path workerJar;

    @Option(names = "--metrics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Install the metrics module in the in-process Warren worker, as worker-app does"
                    + " (default ${DEFAULT-VALUE}).")
    boolean metrics;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Measure every setting N times, alternating sides; the tables show medians and the"
                    + " per-round ratios (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--typed",
            description = "Also measure Warren's typed publish, TaskPublisher.publish(TaskType, record), with a record"
                    + " that serializes to the same body; the publish table adds it with the typed/untyped ratio.")
    boolean typed;

    @Option(names = "--events",
            description = "Instead of the tables above: the drain rate of the Warren worker with task events off and on"
                    + " (docs/events.md), --events-tasks tasks per drain, the first --prefetch and --concurrency,"
                    + " --rounds rounds; prints both rates and on/off.")
    boolean events;

    @Option(names = "--events-tasks", paramLabel = "N", defaultValue = "50000",
            description = "With --events: tasks per drain (default ${DEFAULT-VALUE}).")
    long eventsTasks;

    @Option(names = "--dead-letters", paramLabel = "N", defaultValue = "0",
            description = "Instead of the tables above: the console with N dead letters in one DLQ (first page, text"
                    + " filter, bulk replay), next to the former basic.get reading and one-by-one replay; 0: off"
                    + " (default ${DEFAULT-VALUE}).")
    int deadLetters;

    @Option(names = "--dead-letters-baseline", paramLabel = "N", defaultValue = "10000",
            description = "With --dead-letters: letters the one-by-one replay baseline moves (default ${DEFAULT-VALUE}).")
    int deadLettersBaseline;

    @Option(names = "--replay-rate", paramLabel = "PER_SECOND", defaultValue = "20000",
            description = "With --dead-letters: the bulk replay's rate limit (default ${DEFAULT-VALUE}).")
    int replayRate;

    @Option(names = "--replay-window", paramLabel = "N", defaultValue = "1000",
            description = "With --dead-letters: the bulk replay's copies awaiting a confirm (default ${DEFAULT-VALUE}).")
    int replayWindow;

    @Option(names = "--management-url", paramLabel = "URL",
            defaultValue = "${env:WARREN_MANAGEMENT_URL:-http://localhost:15672}",
            description = "With --dead-letters: the management API the console signs in through (env"
                    + " WARREN_MANAGEMENT_URL; default ${DEFAULT-VALUE}).")
    URI managementUrl;

    public static void main(String[] args) {
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        System.exit(ExitCodes.commandLine(new Benchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path logDir = Files.createTempDirectory("warren-bench-");
        var amqp = connection.toSettings("warren-bench");
        String uri = amqp.uri().toString();
        if (deadLetters > 0) {
            if (deadLetters < 1000 || deadLettersBaseline < 1 || deadLettersBaseline > deadLetters) {
                throw new InvalidSettingException("--dead-letters must be >= 1000 and --dead-letters-baseline between 1"
                        + " and --dead-letters, were " + deadLetters + " and " + deadLettersBaseline);
            }
            new DeadLetterBenchmark(amqp, managementUrl, deadLetters, deadLettersBaseline, replayRate, replayWindow, spec.commandLine().getErr())
                    .run(spec.commandLine().getOut());
            return ExitCodes.OK;
        }
        BenchmarkSettings settings = new BenchmarkSettings(amqp, uri, duration, warmup, numbers(prefetches),
                numbers(concurrencies), window, bodyBytes, "none".equals(processes.strip()) ? List.of() : numbers(processes),
                processPrefetch, processConcurrency, workerJar, logDir, metrics, rounds, typed);
        PrintWriter log = spec.commandLine().getErr();
        if (events) {
            if (eventsTasks < 1000) {
                throw new InvalidSettingException("--events-tasks must be >= 1000, was " + eventsTasks);
            }
            new EventsComparison(settings, eventsTasks, log).run(spec.commandLine().getOut());
            return ExitCodes.OK;
        }
        Report report = new BenchmarkRun(settings, log).run();
        report.print(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    private static List<Integer> numbers(String list) {
        try {
            return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("expected numbers separated by commas, was '" + list + "'");
        }
    }
}
