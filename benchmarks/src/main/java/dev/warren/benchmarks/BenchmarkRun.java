package dev.warren.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark run on one broker: for each prefetch and concurrency, the raw amqp-client side
 * and the Warren side (and with {@code --typed} Warren's typed publish, drained by the Warren
 * worker) each publish for the duration into a queue of their own, then drain it; then K
 * worker-app processes drain pre-filled queues. Even rounds measure the sides in reverse order,
 * so drift of a shared machine hits them alike.
 *
 * <p>A drain lasts the full duration: when the queue runs empty sooner (consuming is faster than
 * publishing), it is topped up with the raw publisher to about 1.3 times what the measured rate
 * drains in the duration, and measured again.
 */
final class BenchmarkRun {

    private final BenchmarkSettings settings;
    private final PrintWriter log;
    private final ObjectMapper mapper = CoreModule.newObjectMapper();
    private final TaskBodies bodies;

    BenchmarkRun(BenchmarkSettings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
        this.bodies = new TaskBodies(mapper, settings.bodyBytes());
    }

    /** Runs everything and returns the report; queues it created are deleted. */
    Report run() throws Exception {
        AmqpSettings amqp = settings.amqp();
        // The untyped side names its queue in each OutgoingTask; the typed call takes it from the
        // route table. Both use this one TaskPublisher (one channel), so only the call differs.
        String typedQueue = QueueAdmin.uniqueName("typed");
        Injector publishing = Guice.createInjector(new CoreModule(amqp.withConnectionName("warren-bench-publisher"),
                RouteTable.allTo(typedQueue)));
        try (Connection rawConnection = rawFactory(amqp).newConnection("warren-bench-raw");
             AmqpConnections warrenConnections = publishing.getInstance(AmqpConnections.class)) {
            TaskPublisher taskPublisher = publishing.getInstance(TaskPublisher.class);
            Sides sides = new Sides(rawConnection, new QueueAdmin(rawConnection),
                    new RawPublisher(rawConnection, bodies, settings.window()),
                    new WarrenPublisher(taskPublisher, bodies, settings.window()),
                    new TypedPublisher(taskPublisher, typedQueue, bodies, settings.window()));
            Report.Environment environment = Report.Environment.describe(rawConnection, settings);
            if (settings.warmup().isPositive()) {
                int topPrefetch = settings.prefetches().stream().max(Integer::compare).orElse(1);
                log.printf("warming up (%s per side)%n", dev.warren.core.config.Durations.format(settings.warmup()));
                log.flush();
                for (Client client : clients()) {
                    measure(sides, client, topPrefetch, 1, settings.warmup());
                }
            }
            List<Measurements.Pair> pairs = new ArrayList<>();
            List<Measurements.Processes> processes = new ArrayList<>();
            for (int round = 1; round <= settings.rounds(); round++) {
                for (int prefetch : settings.prefetches()) {
                    for (int concurrency : settings.concurrencies()) {
                        pairs.add(pair(sides, round, prefetch, concurrency));
                    }
                }
                double estimate = pairs.stream().filter(p -> p.prefetch() == settings.processPrefetch()
                                && p.concurrency() == settings.processConcurrency())
                        .mapToDouble(p -> p.warren().drain().rate()).max().orElse(5_000);
                for (int k : settings.processes()) {
                    Measurements.Processes measured = processes(sides, round, k, estimate);
                    processes.add(measured);
                    estimate = Math.max(estimate, measured.drain().rate());
                }
            }
            return new Report(environment, pairs, processes);
        }
    }

    /** What the sides use: the raw connection, queue admin and the publishers. */
    private record Sides(Connection rawConnection, QueueAdmin admin, RawPublisher rawPublisher,
                         WarrenPublisher warrenPublisher, TypedPublisher typedPublisher) {
    }

    /** Who publishes (and drains): amqp-client by hand, Warren untyped, Warren typed (drained by Warren's worker). */
    private enum Client {
        RAW, WARREN, TYPED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The sides this run measures, in the order of odd rounds. */
    private List<Client> clients() {
        return settings.typed() ? List.of(Client.RAW, Client.WARREN, Client.TYPED) : List.of(Client.RAW, Client.WARREN);
    }

    private Measurements.Pair pair(Sides sides, int round, int prefetch, int concurrency) throws Exception {
        // Odd rounds measure raw first, even rounds in reverse order (typed or Warren first): no side
        // always inherits the broker's state (a deleted queue's files, disk flushes) from the same other.
        List<Client> order = new ArrayList<>(clients());
        if (round % 2 == 0) {
            Collections.reverse(order);
        }
        Map<Client, Measurements.Side> measured = new EnumMap<>(Client.class);
        for (Client client : order) {
            log.printf("round %d of %d, prefetch %d, concurrency %d: %s ...%n", round, settings.rounds(), prefetch,
                    concurrency, client.label());
            log.flush();
            measured.put(client, measure(sides, client, prefetch, concurrency, settings.duration()));
        }
        return new Measurements.Pair(round, prefetch, concurrency, measured.get(Client.RAW),
                measured.get(Client.WARREN), measured.get(Client.TYPED));
    }

    private Measurements.Side measure(Sides sides, Client client, int prefetch, int concurrency, Duration duration)
            throws Exception {
        Publisher publisher = switch (client) {
            case RAW -> sides.rawPublisher();
            case WARREN -> sides.warrenPublisher();
            case TYPED -> sides.typedPublisher();
        };
        DrainerFactory drainers = client == Client.RAW
                ? queue -> rawDrainer(sides.rawConnection(), queue, prefetch, concurrency)
                : queue -> warrenDrainer(queue, prefetch, concurrency);
        // The typed publisher's route table names its queue; the others get a new one per measurement.
        String queue = client == Client.TYPED ? sides.typedPublisher().queue()
                : QueueAdmin.uniqueName(client.label() + "-p" + prefetch + "-c" + concurrency);
        return side(queue, publisher, drainers, sides.admin(), sides.rawPublisher(), duration);
    }

    private Measurements.Processes processes(Sides sides, int round, int k, double estimate) throws Exception {
        log.printf("round %d of %d: %d worker-app process(es) ...%n", round, settings.rounds(), k);
        log.flush();
        String queue = QueueAdmin.uniqueName("processes-k" + k);
        QueueAdmin admin = sides.admin();
        admin.declare(queue);
        try {
            // The processes start cold: they consume for a while (twice the warm-up) before the
            // measurement starts, so it sees JIT-compiled workers.
            Duration settle = settings.warmup().multipliedBy(2);
            double busy = seconds(settings.duration()) + seconds(settle);
            sides.rawPublisher().publish(queue, (long) (estimate * busy * 1.3), Long.MAX_VALUE);
            Measurements.Drain drain = drain(queue, q -> new ProcessDrainer(settings.workerJar(), settings.uri(), q,
                    settings.processPrefetch(), settings.processConcurrency(), k, settings.logDir(), admin), admin,
                    sides.rawPublisher(), settings.duration(), settle);
            return new Measurements.Processes(round, k, settings.processPrefetch(), settings.processConcurrency(), drain);
        } finally {
            admin.delete(queue);
        }
    }

    /** A drainer for a queue. */
    interface DrainerFactory {
        Drainer create(String queue) throws Exception;
    }

    private Measurements.Side side(String queue, Publisher publisher, DrainerFactory drainers, QueueAdmin admin,
                                   RawPublisher filler, Duration duration) throws Exception {
        admin.declare(queue);
        try {
            Publisher.PublishResult published = publisher.publish(queue, Long.MAX_VALUE,
                    System.nanoTime() + duration.toNanos());
            return new Measurements.Side(published, drain(queue, drainers, admin, filler, duration, Duration.ZERO));
        } finally {
            admin.delete(queue);
        }
    }

    private Measurements.Drain drain(String queue, DrainerFactory drainers, QueueAdmin admin, RawPublisher filler,
                                     Duration duration, Duration settle) throws Exception {
        Measurements.Drain drain = drainOnce(queue, drainers, admin, duration, settle);
        if (drain.seconds() < 0.9 * seconds(duration) && drain.tasks() > 0) {
            long remaining = admin.inspect(queue).getMessageCount();
            long wanted = (long) (drain.rate() * (seconds(duration) + seconds(settle)) * 1.3);
            log.printf("  '%s' ran empty after %.1fs at %.0f/s; topping it up to %d tasks and measuring again%n", queue,
                    drain.seconds(), drain.rate(), wanted);
            log.flush();
            if (wanted > remaining) {
                filler.publish(queue, wanted - remaining, Long.MAX_VALUE);
            }
            drain = drainOnce(queue, drainers, admin, duration, settle);
        }
        return drain;
    }

    /** Drains for {@code duration} (or until empty), measuring from {@code settle} after the consumers started. */
    private Measurements.Drain drainOnce(String queue, DrainerFactory drainers, QueueAdmin admin, Duration duration,
                                         Duration settle) throws Exception {
        System.gc();   // each drain starts from a collected heap, so the heap peak is its own
        try (Drainer drainer = drainers.create(queue); JvmProbe heap = JvmProbe.watchHeap()) {
            drainer.start();
            Thread.sleep(settle.toMillis());
            long backlog = drainer.processed() + admin.inspect(queue).getMessageCount();
            long t0 = System.nanoTime();
            long c0 = drainer.processed();
            long cpu0 = drainer.cpuNanos();
            long alloc0 = JvmProbe.allocatedBytes();
            long gc0 = JvmProbe.gcCount();
            long end = t0 + duration.toNanos();
            long done = c0;
            long now = t0;
            while (done < backlog && now < end) {
                Thread.sleep(Math.max(1, Math.min(20, (end - now) / 1_000_000)));
                done = drainer.processed();
                now = System.nanoTime();
            }
            long cpu = drainer.cpuNanos() - cpu0;
            long alloc = JvmProbe.allocatedBytes() - alloc0;
            long tasks = Math.max(1, done - c0);
            double wall = (now - t0) / 1e9;
            boolean inProcess = !(drainer instanceof ProcessDrainer);
            long rss = drainer instanceof ProcessDrainer processes ? processes.maxRssMib() : -1;
            return new Measurements.Drain(done - c0, wall, cpu / 1e9 / wall, cpu / 1e3 / tasks,
                    inProcess ? alloc / tasks : -1, inProcess ? heap.peakHeapBytes() / (1024 * 1024) : -1,
                    inProcess ? JvmProbe.gcCount() - gc0 : -1, rss);
        }
    }

    private Drainer rawDrainer(Connection connection, String queue, int prefetch, int concurrency) {
        return new RawDrainer(connection, queue, prefetch, concurrency, mapper.reader());
    }

    private Drainer warrenDrainer(String queue, int prefetch, int concurrency) {
        return new WarrenDrainer(settings.amqp(), queue, prefetch, concurrency, settings.metrics());
    }

    /** A plain amqp-client factory for the raw side, as a hand-written program builds one. */
    /** A plain amqp-client factory for the broker, vhost and user of {@code amqp}. */
    static ConnectionFactory rawFactory(AmqpSettings amqp) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqp.uri());
        factory.setVirtualHost(amqp.effectiveVhost());
        factory.setUsername(amqp.effectiveUsername());
        factory.setPassword(amqp.effectivePassword());
        return factory;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
