package dev.warren.benchmarks;

import com.rabbitmq.client.Connection;
import dev.warren.core.config.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tables a benchmark run prints: throughput of both sides with the Warren/raw ratios (and
 * Warren's typed publish with the typed/untyped ratio when measured), the publisher's and the
 * consumer's resource use, and worker-app process scaling.
 *
 * @param environment what ran where
 * @param pairs       raw and Warren (and typed) per prefetch and concurrency
 * @param processes   worker-app process counts
 */
record Report(Environment environment, List<Measurements.Pair> pairs, List<Measurements.Processes> processes) {

    /**
     * The machine, broker, JVM and settings of a run.
     *
     * @param broker   product and version the broker reports, and its address
     * @param jvm      runtime version and vendor, max heap
     * @param machine  CPUs, CPU model, OS
     * @param settings the run's settings
     */
    record Environment(String broker, String jvm, String machine, BenchmarkSettings settings) {

        static Environment describe(Connection connection, BenchmarkSettings settings) {
            var server = connection.getServerProperties();
            String broker = server.get("product") + " " + server.get("version") + " at "
                    + connection.getAddress().getHostAddress() + ":" + connection.getPort();
            Runtime runtime = Runtime.getRuntime();
            String jvm = "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + "), max heap "
                    + runtime.maxMemory() / (1024 * 1024) + " MiB, " + ManagementFactory.getRuntimeMXBean()
                    .getInputArguments().stream().filter(a -> a.startsWith("-X")).toList();
            String machine = runtime.availableProcessors() + " CPUs" + cpuModel().map(m -> " (" + m + ")").orElse("")
                    + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
            return new Environment(broker, jvm, machine, settings);
        }

        private static Optional<String> cpuModel() {
            try {
                return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    void print(PrintWriter out) {
        BenchmarkSettings s = environment.settings();
        double full = s.duration().toNanos() / 1e9;
        out.println("Warren benchmark: raw amqp-client and Warren on the same broker, in one run");
        out.println("  broker   " + environment.broker());
        out.println("  client   " + environment.jvm());
        out.println("  machine  " + environment.machine());
        out.printf(Locale.ROOT, "  tasks    persistent, %d-byte JSON noop; publisher window %d; %s per measurement,"
                + " warm-up %s; Warren worker: retry ladder%s%n", s.bodyBytes(), s.window(),
                Durations.format(s.duration()), Durations.format(s.warmup()), s.metrics() ? " + metrics" : "");
        out.println();
        List<List<Measurements.Pair>> cells = cells();
        int rounds = pairs.stream().mapToInt(Measurements.Pair::round).max().orElse(1);
        boolean typed = environment.settings().typed();
        out.printf("Throughput, tasks/s%s (publish: one thread and channel, confirms; drain: consumers x prefetch,"
                + " ack each)%s%n", rounds > 1 ? ", median of " + rounds + " rounds" : "",
                typed ? "; typed: Warren's publish(TaskType, record), t/w = typed/untyped Warren" : "");
        out.println("  prefetch consumers |  publish raw   warren  w/raw" + (typed ? "    typed    t/w" : "")
                + " |    drain raw   warren  w/raw");
        for (List<Measurements.Pair> cell : cells) {
            Measurements.Pair p = cell.get(0);
            double rawPublish = median(cell, c -> c.raw().publish().rate());
            double warrenPublish = median(cell, c -> c.warren().publish().rate());
            double rawDrain = median(cell, c -> c.raw().drain().rate());
            double warrenDrain = median(cell, c -> c.warren().drain().rate());
            boolean rawShort = cell.stream().anyMatch(c -> isShort(c.raw().drain(), full));
            boolean warrenShort = cell.stream().anyMatch(c -> isShort(c.warren().drain(), full));
            String typedColumns = "";
            if (typed) {
                double typedPublish = median(cell, c -> c.typed().publish().rate());
                typedColumns = String.format(Locale.ROOT, " %8s %6.2f", rate(typedPublish), typedPublish / warrenPublish);
            }
            out.printf(Locale.ROOT, "  %8d %9d | %12s %8s %6.2f%s | %12s %8s %6.2f%n", p.prefetch(), p.concurrency(),
                    rate(rawPublish), rate(warrenPublish), warrenPublish / rawPublish, typedColumns,
                    rate(rawDrain) + (rawShort ? "*" : ""), rate(warrenDrain) + (warrenShort ? "*" : ""),
                    warrenDrain / rawDrain);
        }
        if (rounds > 1) {
            out.println();
            out.println("Warren/raw per round" + (typed ? ", and typed/untyped Warren publish per round" : ""));
            // A column holds one "0.00 " per round.
            String column = "%-" + Math.max(21, rounds * 5 - 1) + "s";
            out.println(String.format(Locale.ROOT, "  prefetch consumers |  " + column + " |  ", "publish")
                    + (typed ? String.format(Locale.ROOT, column + " |  typed/untyped", "drain") : "drain"));
            for (List<Measurements.Pair> cell : cells) {
                Measurements.Pair p = cell.get(0);
                String drains = ratios(cell, c -> c.warren().drain().rate() / c.raw().drain().rate());
                out.printf(Locale.ROOT, "  %8d %9d |  " + column + " |  %s%n", p.prefetch(), p.concurrency(),
                        ratios(cell, c -> c.warren().publish().rate() / c.raw().publish().rate()),
                        typed ? String.format(Locale.ROOT, column + " |  %s", drains,
                                ratios(cell, c -> c.typed().publish().rate() / c.warren().publish().rate())) : drains);
            }
        }
        out.println();
        out.printf("Publisher JVM: CPU time and heap allocated per published task (publishing thread and confirm"
                + " handling)%s%n", rounds > 1 ? ", medians" : "");
        out.println("  prefetch consumers | us/task raw warren" + (typed ? "  typed" : "") + " | B/task raw warren"
                + (typed ? "  typed" : ""));
        for (List<Measurements.Pair> cell : cells) {
            Measurements.Pair p = cell.get(0);
            out.printf(Locale.ROOT, "  %8d %9d | %11.1f %6.1f%s | %10.0f %6.0f%s%n", p.prefetch(), p.concurrency(),
                    median(cell, c -> c.raw().publish().cpuMicrosPerTask()),
                    median(cell, c -> c.warren().publish().cpuMicrosPerTask()),
                    typed ? String.format(Locale.ROOT, " %6.1f", median(cell, c -> c.typed().publish().cpuMicrosPerTask())) : "",
                    median(cell, c -> c.raw().publish().allocBytesPerTask()),
                    median(cell, c -> c.warren().publish().allocBytesPerTask()),
                    typed ? String.format(Locale.ROOT, " %6.0f", median(cell, c -> c.typed().publish().allocBytesPerTask())) : "");
        }
        out.println();
        out.printf("Consumer JVM during the drain%s (CPU cores busy; CPU time and heap allocated per task; heap peak;"
                + " GCs)%n", rounds > 1 ? ", medians" : "");
        out.println("  prefetch consumers |  CPU raw warren | us/task raw warren | B/task raw warren |"
                + " heap MiB raw warren | GCs raw warren");
        for (List<Measurements.Pair> cell : cells) {
            Measurements.Pair p = cell.get(0);
            out.printf(Locale.ROOT, "  %8d %9d | %7.2f %6.2f | %11.1f %6.1f | %10.0f %6.0f | %12.0f %6.0f | %7.0f %6.0f%n",
                    p.prefetch(), p.concurrency(), median(cell, c -> c.raw().drain().cpuCores()),
                    median(cell, c -> c.warren().drain().cpuCores()), median(cell, c -> c.raw().drain().cpuMicrosPerTask()),
                    median(cell, c -> c.warren().drain().cpuMicrosPerTask()),
                    median(cell, c -> c.raw().drain().allocBytesPerTask()),
                    median(cell, c -> c.warren().drain().allocBytesPerTask()),
                    median(cell, c -> c.raw().drain().peakHeapMib()), median(cell, c -> c.warren().drain().peakHeapMib()),
                    median(cell, c -> c.raw().drain().gcs()), median(cell, c -> c.warren().drain().gcs()));
        }
        if (!processes.isEmpty()) {
            Measurements.Processes first = processes.get(0);
            java.util.Map<Integer, List<Measurements.Drain>> byCount = new java.util.TreeMap<>();
            processes.forEach(k -> byCount.computeIfAbsent(k.processes(), n -> new java.util.ArrayList<>()).add(k.drain()));
            out.println();
            out.printf("worker-app processes draining one pre-filled queue%s (java -Xmx256m; prefetch %d, %d consumer(s)"
                    + " each)%n", rounds > 1 ? ", medians" : "", first.prefetch(), first.concurrency());
            out.println("  processes |  drain/s  vs first | CPU cores (all)  us/task | max RSS MiB");
            double base = -1;
            for (var entry : byCount.entrySet()) {
                List<Measurements.Drain> drains = entry.getValue();
                double rate = medianOf(drains, Measurements.Drain::rate);
                base = base < 0 ? rate : base;
                out.printf(Locale.ROOT, "  %9d | %8s %8.2f | %15.2f %8.1f | %11.0f%n", entry.getKey(),
                        rate(rate) + (drains.stream().anyMatch(d -> isShort(d, full)) ? "*" : ""), rate / base,
                        medianOf(drains, Measurements.Drain::cpuCores), medianOf(drains, Measurements.Drain::cpuMicrosPerTask),
                        medianOf(drains, Measurements.Drain::maxRssMib));
            }
        }
        boolean shortRuns = pairs.stream().anyMatch(p -> isShort(p.raw().drain(), full) || isShort(p.warren().drain(), full))
                || processes.stream().anyMatch(k -> isShort(k.drain(), full));
        if (shortRuns) {
            out.println();
            out.println("  * the queue ran empty before the duration even after a top-up: a shorter measurement");
        }
        out.flush();
    }

    /** The pairs grouped by prefetch and concurrency, in the order measured. */
    private List<List<Measurements.Pair>> cells() {
        java.util.Map<String, List<Measurements.Pair>> byCell = new java.util.LinkedHashMap<>();
        for (Measurements.Pair p : pairs) {
            byCell.computeIfAbsent(p.prefetch() + "/" + p.concurrency(), k -> new java.util.ArrayList<>()).add(p);
        }
        return List.copyOf(byCell.values());
    }

    private static double median(List<Measurements.Pair> cell, java.util.function.ToDoubleFunction<Measurements.Pair> value) {
        return medianOf(cell, value);
    }

    private static <T> double medianOf(List<T> values, java.util.function.ToDoubleFunction<T> value) {
        double[] sorted = values.stream().mapToDouble(value).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String ratios(List<Measurements.Pair> cell, java.util.function.ToDoubleFunction<Measurements.Pair> value) {
        return cell.stream().map(c -> String.format(Locale.ROOT, "%.2f", value.applyAsDouble(c)))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    private static boolean isShort(Measurements.Drain drain, double full) {
        return drain.seconds() < 0.9 * full;
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }
}
