package dev.warren.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.QueueOption;
import dev.warren.cli.DurationConverter;
import dev.warren.cli.EventsOptions;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.DelayTopology;
import dev.warren.core.publish.OutgoingTask;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.wire.TaskResult;
import dev.warren.retry.WorkQueueType;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code send}: publish one task (or {@code --count} copies), confirmed, and optionally wait for its result. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Publishes a task, persistent and confirmed by the broker, and prints its message id.",
            "Example: send --type send_welcome_email --field user_id=123 --field email=user@example.com",
            "A field value that reads as JSON (123, true, {...}) is sent as JSON, anything else as a string.",
            "--delay 90m or --at 2026-12-24T09:00:00Z: the broker holds the task until then (docs/scheduling.md)."})
final class SendCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--type", required = true, paramLabel = "TASK_TYPE", description = "Task type, e.g. send_welcome_email.")
    String type;

    @Option(names = "--field", paramLabel = "KEY=VALUE", description = "A payload field; repeat for more.")
    List<String> fields = new ArrayList<>();

    @Option(names = "--json", paramLabel = "JSON", description = "The payload as a JSON object; --field entries are added to it.")
    String json;

    @Mixin
    QueueOption queue;

    @Mixin
    EventsOptions events;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "Send N copies, each with its own message id (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--wait", description = "Wait for the task's result (through direct reply-to) and print it.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
            description = "How long to wait for confirms and, with --wait, for the result (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Deliver the task after DURATION (90s, 90m, 2h, 3d), held by the broker; whole seconds, rounded"
                    + " up; at most 3106 days (about 8.5 years).")
    Duration delay;

    @Option(names = "--at", paramLabel = "INSTANT",
            description = "Deliver the task at INSTANT (ISO-8601 UTC, e.g. 2026-12-24T09:00:00Z), held by the broker; at"
                    + " most 3106 days (about 8.5 years) from now.")
    Instant at;

    @Option(names = "--queue-type", paramLabel = "classic|quorum", defaultValue = "${env:WARREN_QUEUE_TYPE:-classic}",
            description = "The work queue's type, as the worker declares it: with --delay or --at, a quorum queue's"
                    + " task waits in the quorum delay levels, which dead-letter at least once"
                    + " (env WARREN_QUEUE_TYPE; default ${DEFAULT-VALUE}).")
    String queueType;

    /** The longest delay the broker's delay levels can hold ({@link DelayTopology#MAX_DELAY_SECONDS}). */
    private static final Duration LONGEST_DELAY = Duration.ofSeconds(DelayTopology.MAX_DELAY_SECONDS);

    @Override
    public Integer call() throws Exception {
        if (delay != null && at != null) {
            throw new InvalidSettingException("--delay and --at exclude each other; give one");
        }
        if ((delay != null || at != null) && await) {
            throw new InvalidSettingException("--wait does not work with --delay or --at; drop --wait");
        }
        if (delay != null && delay.compareTo(LONGEST_DELAY) > 0) {
            throw new InvalidSettingException("--delay must be at most " + longestDelay() + ", was " + delay.toDays()
                    + " days");
        }
        if (at != null && Duration.between(Instant.now(), at).compareTo(LONGEST_DELAY) > 0) {
            throw new InvalidSettingException("--at must be at most " + longestDelay() + " from now, was " + at);
        }
        if (count < 1) {
            throw new InvalidSettingException("--count must be >= 1, was " + count);
        }
        if (await && count > 1) {
            throw new InvalidSettingException("--wait works with a single task; drop --count or --wait");
        }
        ObjectMapper mapper = CoreModule.newObjectMapper();
        ObjectNode payload;
        try {
            payload = TaskFields.payload(mapper, json, fields);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
        RouteTable routes = RouteTable.allTo(queue.queue());
        if (WorkQueueType.parse(queueType, 1).quorum()) {
            routes = routes.withQuorumQueues(queue.queue());
        }
        AmqpSettings amqp = connection.toSettings("warren-producer@" + ProcessHandle.current().pid());
        Injector injector = Guice.createInjector(new CoreModule(amqp, routes));
        PrintWriter out = spec.commandLine().getOut();
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class);
             ProducerEvents emitted = ProducerEvents.open(events, connections, amqp.connectionName())) {
            TaskPublisher publisher = injector.getInstance(TaskPublisher.class);
            if (await) {
                return sendAndWait(publisher, mapper, payload, out, emitted);
            }
            List<CompletableFuture<Void>> confirms = new ArrayList<>(count);
            List<String> ids = new ArrayList<>(count);
            Instant sentAt = emitted.now();
            for (int i = 0; i < count; i++) {
                OutgoingTask task = new OutgoingTask(UUID.randomUUID().toString(), type, payload, queue.queue(), null, null, null);
                ids.add(task.id());
                confirms.add(delay != null ? publisher.publish(task, delay)
                        : at != null ? publisher.publishAt(task, at) : publisher.publish(task));
            }
            try {
                CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new))
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new TimeoutException("the broker did not confirm within " + Durations.format(timeout));
            }
            ids.forEach(id -> emitted.published(id, type, queue.queue(), sentAt));
            if (count == 1) {
                out.println(ids.get(0));
            } else {
                out.printf("sent %d %s task(s) to '%s', all confirmed%n", count, type, queue.queue());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static String longestDelay() {
        return String.format(Locale.ROOT, "%d days (about %.1f years)", LONGEST_DELAY.toDays(), LONGEST_DELAY.toDays() / 365.25);
    }

    private int sendAndWait(TaskPublisher publisher, ObjectMapper mapper, ObjectNode payload, PrintWriter out,
                            ProducerEvents emitted) throws Exception {
        OutgoingTask task = new OutgoingTask(UUID.randomUUID().toString(), type, payload, queue.queue(), null, null, null);
        TaskResult result;
        try {
            // The request's future completes with the result, after the confirm: the event goes out first.
            emitted.published(task.id(), type, queue.queue(), emitted.now());
            result = publisher.request(task).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("no result for task " + task.id() + " within " + Durations.format(timeout)
                    + " (is a worker consuming '" + queue.queue() + "'?)");
        }
        out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        out.flush();
        return result.succeeded() ? ExitCodes.OK : ExitCodes.NOT_DELIVERED;
    }
}
