package dev.warren.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.schedule.SchedulerSettings;
import dev.warren.core.schedule.SchedulerStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code schedules}: the schedules of a scheduler group with their last and next firing. */
@Command(name = "schedules", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the schedules of a scheduler group as its active replica last reported them: name, task"
                + " type, queue, schedule, misfire policy, last due, last fired and next due.",
            "Reads the status message of warren.scheduler.<group>.status and puts it back (it never consumes it).",
            "Exit status 2 when no scheduler has run in the group, 3 when the broker is unreachable or refuses access."})
final class SchedulesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--group", paramLabel = "NAME", defaultValue = "${env:WARREN_SCHEDULER_GROUP:-default}",
            description = "Scheduler group (env WARREN_SCHEDULER_GROUP; default ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--json", description = "Print the status as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = CoreModule.newObjectMapper();
        var injector = Guice.createInjector(new CoreModule(
                connection.toSettings("warren-schedules@" + ProcessHandle.current().pid()), RouteTable.allTo("unused")));
        Optional<byte[]> body;
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class)) {
            body = read(connections);
        }
        if (body.isEmpty()) {
            spec.commandLine().getErr().println("error: no scheduler has run in group '" + group + "' (no status in "
                    + SchedulerSettings.statusQueue(group) + "; is --group right, and does a worker-app run with"
                    + " --scheduler?)");
            return ExitCodes.USAGE;
        }
        SchedulerStatus status = mapper.readValue(body.get(), SchedulerStatus.class);
        if (json) {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(status));
        } else {
            print(status, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The status message, read and put back (basic.get, then nack with requeue); empty when there is none. */
    private Optional<byte[]> read(AmqpConnections connections) throws IOException {
        Channel channel = connections.publishing().createChannel();
        try {
            GetResponse response = channel.basicGet(SchedulerSettings.statusQueue(group), false);
            if (response == null) {
                return Optional.empty();
            }
            channel.basicNack(response.getEnvelope().getDeliveryTag(), false, true);
            return Optional.of(response.getBody());
        } catch (IOException | ShutdownSignalException e) {
            if (StatusCommand.channelClose(e).filter(r -> r.is(AMQP.NOT_FOUND)).isPresent()) {
                return Optional.empty();
            }
            throw e;
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (Exception e) {
                    // The nack is sent; a failed close loses nothing.
                }
            }
        }
    }

    private static void print(SchedulerStatus status, PrintWriter out) {
        out.printf("group '%s': active replica %s since %s (status of %s)%n", status.group(), status.activeReplica(),
                status.activeSince(), status.updatedAt());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "TYPE", "QUEUE", "SCHEDULE", "MISFIRE", "LAST DUE", "LAST FIRED", "NEXT DUE"});
        for (SchedulerStatus.Entry e : status.schedules()) {
            rows.add(new String[] {e.name(), e.type(), e.queue(), e.spec(), e.misfire(), orDash(e.lastDue()),
                orDash(e.lastFiredAt()), orDash(e.nextDue())});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
