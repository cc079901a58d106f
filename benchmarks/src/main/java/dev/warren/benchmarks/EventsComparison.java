package dev.warren.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.events.EventsSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/benchmark --events}: the drain rate of the Warren worker with task events off and on,
 * in the same run. Each measurement fills a fresh queue with {@code tasks} noop tasks (raw
 * publisher), starts a worker (prefetch and consumers as given, metrics module as worker-app),
 * and times from its first processed task to its last. Odd rounds measure off first, even rounds
 * on first. The events stream is a fresh one, deleted at the end.
 */
final class EventsComparison {

    /**
     * One round: the two drain rates, this JVM's CPU per task during each drain (the worker's
     * consumer threads and, with events on, the events thread), and the events the "on" worker
     * had confirmed and dropped when its last task was acknowledged.
     */
    record Round(int round, double off, double on, double cpuOff, double cpuOn, long confirmed, long dropped) {
        double ratio() {
            return on / off;
        }
    }

    private final BenchmarkSettings settings;
    private final long tasks;
    private final PrintWriter log;
    private final TaskBodies bodies;

    EventsComparison(BenchmarkSettings settings, long tasks, PrintWriter log) {
        this.settings = settings;
        this.tasks = tasks;
        this.log = log;
        ObjectMapper mapper = CoreModule.newObjectMapper();
        this.bodies = new TaskBodies(mapper, settings.bodyBytes());
    }

    /** Measures every round and prints the table to {@code out}. */
    void run(PrintWriter out) throws Exception {
        int prefetch = settings.prefetches().get(0);
        int concurrency = settings.concurrencies().get(0);
        EventsSettings events = EventsSettings.defaults().withStream(QueueAdmin.uniqueName("events"));
        try (Connection connection = BenchmarkRun.rawFactory(settings.amqp()).newConnection("warren-bench-raw")) {
            QueueAdmin admin = new QueueAdmin(connection);
            RawPublisher publisher = new RawPublisher(connection, bodies, settings.window());
            try {
                if (settings.warmup().isPositive()) {
                    log.println("warming up: a drain of " + tasks / 5 + " tasks with events off, then on");
                    log.flush();
                    drain(admin, publisher, null, prefetch, concurrency, tasks / 5);
                    drain(admin, publisher, events, prefetch, concurrency, tasks / 5);
                }
                List<Round> rounds = new ArrayList<>();
                for (int round = 1; round <= settings.rounds(); round++) {
                    boolean offFirst = round % 2 == 1;
                    Drain first = drain(admin, publisher, offFirst ? null : events, prefetch, concurrency, tasks);
                    Drain second = drain(admin, publisher, offFirst ? events : null, prefetch, concurrency, tasks);
                    Drain off = offFirst ? first : second;
                    Drain on = offFirst ? second : first;
                    rounds.add(new Round(round, off.rate(), on.rate(), off.cpuMicrosPerTask(), on.cpuMicrosPerTask(),
                            on.confirmed(), on.dropped()));
                    log.printf(Locale.ROOT, "round %d: events off %.0f tasks/s, on %.0f tasks/s%n", round, off.rate(),
                            on.rate());
                    log.flush();
                }
                print(out, rounds, prefetch, concurrency);
            } finally {
                admin.delete(events.stream());
            }
        }
    }

    /** One drain: its rate, CPU per task, and the events confirmed and dropped by the time it ended. */
    private record Drain(double rate, double cpuMicrosPerTask, long confirmed, long dropped) {
    }

    private Drain drain(QueueAdmin admin, RawPublisher publisher, EventsSettings events, int prefetch,
                        int concurrency, long count) throws Exception {
        String queue = QueueAdmin.uniqueName("drain");
        admin.declare(queue);
        try {
            publisher.publish(queue, count, Long.MAX_VALUE);
            try (WarrenDrainer drainer = new WarrenDrainer(settings.amqp(), queue, prefetch, concurrency,
                    settings.metrics(), events)) {
                drainer.start();
                while (drainer.processed() < 1) {
                    Thread.sleep(1);
                }
                long startedAt = System.nanoTime();
                long startCpu = drainer.cpuNanos();
                long startCount = drainer.processed();
                while (drainer.processed() < count) {
                    Thread.sleep(2);
                }
                double seconds = (System.nanoTime() - startedAt) / 1e9;
                long tasksDrained = drainer.processed() - startCount;
                return new Drain(tasksDrained / seconds, (drainer.cpuNanos() - startCpu) / 1e3 / tasksDrained,
                        drainer.eventsConfirmed(), drainer.eventsDropped());
            }
        } finally {
            admin.delete(queue);
        }
    }

    private void print(PrintWriter out, List<Round> rounds, int prefetch, int concurrency) {
        out.printf(Locale.ROOT, "Task events: drain rate of %d noop tasks, prefetch %d, %d consumer(s), events off vs on"
                + " (same run; odd rounds off first)%n", tasks, prefetch, concurrency);
        out.println("  round |  events off   events on   on/off | us/task off   on | events confirmed at the last task,"
                + " dropped");
        for (Round r : rounds) {
            out.printf(Locale.ROOT, "  %5d | %11.0f %11.0f %8.2f | %11.1f %4.1f | %d, %d%n", r.round(), r.off(), r.on(),
                    r.ratio(), r.cpuOff(), r.cpuOn(), r.confirmed(), r.dropped());
        }
        out.printf(Locale.ROOT, " median | %11.0f %11.0f %8.2f | %11.1f %4.1f |%n",
                median(rounds.stream().map(Round::off).toList()), median(rounds.stream().map(Round::on).toList()),
                median(rounds.stream().map(Round::ratio).toList()), median(rounds.stream().map(Round::cpuOff).toList()),
                median(rounds.stream().map(Round::cpuOn).toList()));
        out.flush();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
