package dev.warren.producer.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.DurationConverter;
import dev.warren.cli.ExitCodes;
import dev.warren.cli.QueueOption;
import dev.warren.core.CoreModule;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.spi.PublishListener;
import dev.warren.core.wire.TaskCodec;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code load}: the load generator. Sends many tasks, persistent and confirmed, and reports what
 * the broker confirmed and how fast; with {@code --await-results} also what came back: completed,
 * dead-lettered, missing and duplicate results, counted exactly.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Sends many tasks (persistent, confirmed) and prints sent/confirmed/nacked/returned, the publish"
                + " rate and confirm latency percentiles.",
            "With --await-results the tasks ask for results (direct reply-to, or a durable --reply-queue) and it also"
                + " reports completed, dead-lettered, missing and duplicate results, and end-to-end latency.",
            "Example: load --count 100000 --types noop=8,send_welcome_email=1,fail=1 --fail-ratio 0.01 --await-results",
            "Exit code 5 when a task was not confirmed, or (with --await-results) a confirmed task got no result."})
public final class LoadCommand implements Callable<Integer> {

    /** Tasks sent when neither --count nor --duration is given. */
    static final long DEFAULT_COUNT = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    QueueOption queue;

    @Option(names = "--count", paramLabel = "N",
            description = "Send N tasks (default " + DEFAULT_COUNT + " unless --duration is given).")
    long count;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Send for this long instead of a count, e.g. 60s.")
    Duration duration;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "Open loop: send this many tasks per second in all, on a fixed schedule, and warn when"
                    + " sending falls behind. Default: as fast as confirms allow.")
    double rate;

    @Option(names = "--publishers", paramLabel = "P", defaultValue = "1",
            description = "Publishing threads, each with its own channel (default ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--window", paramLabel = "N", defaultValue = "" + LoadPlan.DEFAULT_WINDOW,
            description = "At most N publishes awaiting a confirm, over all publishers; a slow or blocked broker"
                    + " slows the load down instead of growing a queue (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--types", paramLabel = "TYPE=WEIGHT,...", defaultValue = "noop",
            description = {"Task types and their weights, e.g. noop=8,send_welcome_email=1,fail=1 (default"
                    + " ${DEFAULT-VALUE}).",
                "Payloads fit worker-app's demo types: send_welcome_email gets user_id/email/user_name, echo a text,"
                    + " sleep 10 ms, fail fails its first attempt and succeeds on the retry; other types get no fields."})
    String types;

    @Option(names = "--payload-bytes", paramLabel = "BYTES", defaultValue = "0",
            description = "Pad each task body to about this size with a '" + TaskMix.PADDING_FIELD + "' field"
                    + " (default ${DEFAULT-VALUE}: no padding).")
    int payloadBytes;

    @Option(names = "--fail-ratio", paramLabel = "FRACTION", defaultValue = "0",
            description = "Send this fraction of all tasks (0 to 1, spread evenly) as 'fail' tasks that fail every"
                    + " attempt (times=" + TaskMix.FAIL_EVERY_ATTEMPT + ") and so end in <queue>.dlq (default ${DEFAULT-VALUE}).")
    double failRatio;

    @Option(names = "--await-results",
            description = "Ask for results (direct reply-to) and wait for them; reports completed, dead-lettered,"
                    + " missing and duplicates exactly.")
    boolean awaitResults;

    @Option(names = "--reply-queue", paramLabel = "NAME",
            description = {"Implies --await-results, with results sent to this durable queue (declared when missing, deleted"
                    + " at the end if this run created it and it is empty) instead of direct reply-to. Direct reply-to"
                    + " drops a result sent while this process's connection is down; a durable queue keeps it, so the"
                    + " counts stay exact across a broker restart or a cut connection."})
    String replyQueue;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long to wait for the last confirms after sending, then again for results; tasks"
                    + " still without a result are missing (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--duplicate-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "1s",
            description = "With --await-results: once every task is answered, keep listening this long for"
                    + " duplicate results (default ${DEFAULT-VALUE}).")
    Duration duplicateGrace;

    @Option(names = "--json", description = "Print the summary as JSON on stdout.")
    boolean json;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Show a progress bar on stderr when it is a terminal (default ${DEFAULT-VALUE}).")
    boolean progress;

    @Override
    public Integer call() throws Exception {
        ObjectMapper mapper = CoreModule.newObjectMapper();
        long tasks = count == 0 && duration == null ? DEFAULT_COUNT : count;
        LoadPlan plan = new LoadPlan(queue.queue(), tasks, duration, rate, publishers, window,
                TaskMix.parse(types, failRatio, payloadBytes, mapper), awaitResults || replyQueue != null, replyQueue,
                timeout, duplicateGrace);
        Injector injector = Guice.createInjector(new CoreModule(
                connection.toSettings("warren-load@" + ProcessHandle.current().pid()), RouteTable.allTo(plan.queue())));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ExecutorService resultThreads = Executors.newSingleThreadExecutor(
                     Thread.ofPlatform().daemon().name("warren-load-results").factory());
             AmqpConnections connections = injector.getInstance(AmqpConnections.class)) {
            connections.publishing();   // fail fast, before the progress bar, when the broker is unreachable
            LoadRun run = new LoadRun(plan, publishers(injector, plan.publishers()), timeout, line -> {
                err.println(line);
                err.flush();
            });
            LoadReport report;
            try (ReplyQueueReader reader = plan.replyQueue() == null ? null : ReplyQueueReader.start(
                    connections.consuming(resultThreads), plan.replyQueue(), injector.getInstance(TaskCodec.class),
                    run.results());
                 LoadProgress bar = progress && LoadProgress.onTerminal()
                    ? LoadProgress.bar(System.err, plan.count(), plan.duration()) : LoadProgress.none()) {
                report = run.run(bar);
            }
            if (json) {
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(report));
                out.flush();
            } else {
                report.print(out);
            }
            return report.allDelivered() ? ExitCodes.OK : ExitCodes.NOT_DELIVERED;
        }
    }

    /** The injector's publisher and {@code n - 1} more, each with a channel of its own on the same connection. */
    private static List<TaskPublisher> publishers(Injector injector, int n) {
        List<TaskPublisher> list = new ArrayList<>(n);
        list.add(injector.getInstance(TaskPublisher.class));
        Set<PublishListener> listeners = injector.getInstance(Key.get(new TypeLiteral<Set<PublishListener>>() { }));
        for (int i = 1; i < n; i++) {
            list.add(new TaskPublisher(injector.getInstance(AmqpConnections.class), injector.getInstance(TaskCodec.class),
                    injector.getInstance(RouteTable.class), listeners, injector.getInstance(Clock.class)));
        }
        return list;
    }
}
