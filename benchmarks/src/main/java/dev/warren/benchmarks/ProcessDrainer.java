package dev.warren.benchmarks;

import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code processes} worker-app processes ({@code java -Xmx256m -jar worker-app.jar}) draining one
 * queue. Progress is read from the queue's ready count (passive declare), so it counts what the
 * broker handed out; deliveries prefetched but not yet acknowledged are at most
 * {@code processes x concurrency x prefetch}. {@link #start()} returns once every consumer is
 * registered. Logs go to {@code logDir}.
 */
final class ProcessDrainer implements Drainer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path workerJar;
    private final String uri;
    private final String queue;
    private final int prefetch;
    private final int concurrency;
    private final int processes;
    private final Path logDir;
    private final QueueAdmin admin;
    private final List<Process> running = new ArrayList<>();
    private long initialDepth;

    ProcessDrainer(Path workerJar, String uri, String queue, int prefetch, int concurrency, int processes, Path logDir,
                   QueueAdmin admin) {
        this.workerJar = workerJar;
        this.uri = uri;
        this.queue = queue;
        this.prefetch = prefetch;
        this.concurrency = concurrency;
        this.processes = processes;
        this.logDir = logDir;
        this.admin = admin;
    }

    @Override
    public void start() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int i = 1; i <= processes; i++) {
            Path log = logDir.resolve("worker-" + queue + "-" + i + ".log");
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-jar", workerJar.toString(),
                    "--demo", "--uri", uri, "--queue", queue, "--concurrency", String.valueOf(concurrency),
                    "--prefetch", String.valueOf(prefetch), "--name", "bench-" + i)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putIfAbsent("WARREN_LOG_LEVEL", "WARN");
            running.add(builder.start());
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int expected = processes * concurrency;
        while (true) {
            for (Process process : running) {
                if (!process.isAlive()) {
                    throw new IOException("a worker-app process exited with " + process.exitValue() + " before consuming;"
                            + " see " + logDir);
                }
            }
            AMQP.Queue.DeclareOk ok = admin.inspect(queue);
            if (ok.getConsumerCount() >= expected) {
                initialDepth = ok.getMessageCount();
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(ok.getConsumerCount() + " of " + expected + " consumers registered on '" + queue
                        + "' after " + START_TIMEOUT.toSeconds() + "s; see " + logDir);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public long processed() throws IOException {
        return initialDepth - admin.inspect(queue).getMessageCount();
    }

    @Override
    public long cpuNanos() {
        return running.stream().mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /** The largest resident set size of the processes, in MiB (Linux), or -1. */
    long maxRssMib() {
        long max = -1;
        for (Process process : running) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        max = Math.max(max, Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return max;
    }

    @Override
    public void close() {
        running.forEach(Process::destroy);   // SIGTERM: a graceful stop
        for (Process process : running) {
            try {
                if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        running.clear();
    }
}
