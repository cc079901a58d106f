package dev.warren.benchmarks;

import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.InvalidSettingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a benchmark run measures.
 *
 * @param amqp               the broker
 * @param uri                the broker URI as given, for the worker-app processes
 * @param duration           length of each publish and each drain measurement
 * @param warmup             length of the unmeasured warm-up of each side (0 = none)
 * @param prefetches         prefetch values to measure
 * @param concurrencies      consumer counts to measure
 * @param window             publishes awaiting a confirm, both sides
 * @param bodyBytes          size of each task body
 * @param processes          worker-app process counts (empty = skip that part)
 * @param processPrefetch    prefetch of each worker-app process
 * @param processConcurrency consumers of each worker-app process
 * @param workerJar          worker-app's shaded jar
 * @param logDir             where worker-app processes log
 * @param metrics            whether the in-process Warren worker installs the metrics module
 * @param rounds             how often to measure every setting (the report shows medians)
 * @param typed              whether to measure Warren's typed publish too ({@code publish(TaskType, record)})
 */
record BenchmarkSettings(AmqpSettings amqp, String uri, Duration duration, Duration warmup, List<Integer> prefetches,
                         List<Integer> concurrencies, int window, int bodyBytes, List<Integer> processes,
                         int processPrefetch, int processConcurrency, Path workerJar, Path logDir, boolean metrics,
                         int rounds, boolean typed) {

    BenchmarkSettings {
        require(duration.isPositive(), "--duration must be > 0");
        require(!warmup.isNegative(), "--warmup must be >= 0");
        require(!prefetches.isEmpty() && prefetches.stream().allMatch(p -> p >= 1 && p <= 65535),
                "--prefetch values must be between 1 and 65535, were " + prefetches);
        require(!concurrencies.isEmpty() && concurrencies.stream().allMatch(c -> c >= 1 && c <= 64),
                "--concurrency values must be between 1 and 64, were " + concurrencies);
        require(window >= 1 && window <= 100_000, "--window must be between 1 and 100000, was " + window);
        require(bodyBytes >= 0 && bodyBytes <= 1_000_000, "--body-bytes must be between 0 and 1000000, was " + bodyBytes);
        require(processes.stream().allMatch(k -> k >= 1 && k <= 32), "--processes values must be between 1 and 32, were "
                + processes);
        require(processes.isEmpty() || workerJar.toFile().isFile(), "--worker-jar " + workerJar + " does not exist:"
                + " build it (./mvnw -B package -DskipTests) or pass --processes none");
        require(rounds >= 1 && rounds <= 20, "--rounds must be between 1 and 20, was " + rounds);
        processes = List.copyOf(processes);
        prefetches = List.copyOf(prefetches);
        concurrencies = List.copyOf(concurrencies);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingException(message);
        }
    }
}
