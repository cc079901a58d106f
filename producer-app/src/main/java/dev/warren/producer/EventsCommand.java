package dev.warren.producer;

import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.DurationConverter;
import dev.warren.cli.EventStreamOption;
import dev.warren.cli.ExitCodes;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.events.Event;
import dev.warren.events.EventCodec;
import dev.warren.events.EventOffset;
import dev.warren.events.TaskEvents;
import dev.warren.events.TaskTimeline;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.NoOpMetricsCollector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code events}: print task events from the stream, or one task's timeline. */
@Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Prints task events from the events stream (docs/events.md): what workers with --events (and",
            "send/dlq replay with --events) did with each task, oldest first. Reading never removes an event.",
            "--id MESSAGE_ID prints that task's timeline: published, each attempt with its worker and outcome, retries",
            "with their delays, dead-lettered, replayed, and its result.",
            "Prints events as they arrive. Without --follow it stops at the end the stream had when it started:",
            "events written after that are left out, but for the first of them, which may be printed (on a stream",
            "nothing is written to: once no event came for --idle)."})
final class EventsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    EventStreamOption stream;

    @Option(names = "--id", paramLabel = "MESSAGE_ID", description = "Only this task, as a timeline (with --json: its events).")
    String id;

    @Option(names = "--type", paramLabel = "TASK_TYPE", description = "Only events of this task type.")
    String type;

    @Option(names = "--since", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Only events of the last DURATION (10m, 2h); default: everything the stream keeps.")
    Duration since;

    @Option(names = "--follow", description = "Keep printing new events as they arrive, until Ctrl-C.")
    boolean follow;

    @Option(names = "--json", description = "Print each event as its JSON (schema v1), one per line.")
    boolean json;

    @Option(names = "--idle", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
            description = "Without --follow, on a stream nothing new is written to: stop once no event arrived for"
                    + " this long (default ${DEFAULT-VALUE}).")
    Duration idle;

    @Override
    public Integer call() throws Exception {
        if (follow && id != null && !json) {
            throw new InvalidSettingException("--follow prints events as they come; with --id add --json, or drop --follow"
                    + " for the timeline");
        }
        if (since != null && (since.isNegative() || since.isZero())) {
            throw new InvalidSettingException("--since must be > 0, was " + since);
        }
        AmqpSettings amqp = connection.toSettings("warren-events@" + ProcessHandle.current().pid());
        PrintWriter out = spec.commandLine().getOut();
        EventOffset from = since == null ? EventOffset.first() : EventOffset.since(Clock.systemUTC().instant().minus(since));
        Predicate<Event> filter = event -> (id == null || id.equals(event.messageId()))
                && (type == null || type.equals(event.taskType()));
        try (AmqpConnections connections = new AmqpConnections(amqp, Set.of(), Clock.systemUTC(),
                new NoOpMetricsCollector());
             Connection reading = connections.openSide("read")) {
            TaskEvents events = new TaskEvents(reading, stream.stream());
            if (follow) {
                follow(events, from, filter, out);
                return ExitCodes.OK;
            }
            if (id != null && !json) {
                // One task's events, held to build its timeline.
                TaskTimeline.of(id, history(events, from, filter)).forEach(out::println);
            } else {
                read(events, from, filter, out);
            }
            return ExitCodes.OK;
        } finally {
            out.flush();
        }
    }

    private List<Event> history(TaskEvents events, EventOffset from, Predicate<Event> filter)
            throws IOException, InterruptedException {
        try {
            return events.history(from, filter, idle);
        } catch (IOException e) {
            throw missingStream(e);
        }
    }

    /** Prints each event as it arrives, up to the end the stream had when the command started. */
    private void read(TaskEvents events, EventOffset from, Predicate<Event> filter, PrintWriter out)
            throws IOException, InterruptedException {
        try {
            events.read(from, filter, idle, event -> print(event, out));
        } catch (IOException e) {
            throw missingStream(e);
        }
    }

    private void follow(TaskEvents events, EventOffset from, Predicate<Event> filter, PrintWriter out)
            throws Exception {
        CountDownLatch forever = new CountDownLatch(1);
        try (AutoCloseable reading = events.follow(from, filter, event -> print(event, out))) {
            forever.await();
        } catch (IOException e) {
            throw missingStream(e);
        }
    }

    private void print(Event event, PrintWriter out) {
        out.println(render(event));
        out.flush();
    }

    private String render(Event event) {
        return json ? new String(EventCodec.encode(event), StandardCharsets.UTF_8) : TaskTimeline.line(event);
    }

    /** A clear message when the stream does not exist; other failures as they are. */
    private IOException missingStream(IOException e) throws InvalidSettingException {
        if (BrokerReplies.of(e.getCause()).filter(r -> r.channel() && r.is(AMQP.NOT_FOUND)).isPresent()) {
            throw new InvalidSettingException("no events stream '" + stream.stream() + "' in this vhost: no worker or"
                    + " producer with --events has written to it yet, or --events-stream names another");
        }
        return e;
    }
}
