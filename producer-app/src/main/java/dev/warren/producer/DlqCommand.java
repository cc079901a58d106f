package dev.warren.producer;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.EventsOptions;
import dev.warren.cli.ExitCodes;
import dev.warren.cli.QueueOption;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.wire.TaskHeaders;
import dev.warren.retry.DeadLetter;
import dev.warren.retry.DeadLetterQueue;
import dev.warren.retry.SafetyNetPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dlq}: inspect and repair the dead-letter queue {@code <queue>.dlq}. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        subcommands = {DlqCommand.ListCommand.class, DlqCommand.ShowCommand.class, DlqCommand.ReplayCommand.class,
            DlqCommand.PurgeCommand.class, DlqCommand.SafetyNetCommand.class},
        description = {"Lists, shows, replays and purges the dead-letter queue <queue>.dlq.",
            "Reading never removes a message; replay removes one only after its copy is confirmed in the work queue.",
            "Except: a quorum DLQ (--queue-type quorum) on RabbitMQ 4.0-4.2 counts each read as a delivery and drops a",
            "letter after 20 unless a policy sets delivery-limit -1 (docs/retries.md, \"The tools\")."})
final class DlqCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "name a dlq command: list, show, replay, purge or safety-net");
    }

    /** What every dlq subcommand shares: connection flags, --queue, and an injector with the DLQ tools. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Mixin
        QueueOption queue;

        /** The broker connections of this command, once {@link #call()} runs. */
        AmqpConnections connections;

        AmqpSettings amqp() {
            return connection.toSettings("warren-dlq@" + ProcessHandle.current().pid());
        }

        @Override
        public Integer call() throws Exception {
            Injector injector = Guice.createInjector(new CoreModule(amqp(), RouteTable.allTo(queue.queue())));
            PrintWriter out = spec.commandLine().getOut();
            try (AmqpConnections opened = injector.getInstance(AmqpConnections.class)) {
                connections = opened;
                return run(injector.getInstance(DeadLetterQueue.class), out);
            } catch (IOException e) {
                // Every subcommand starts by reading or purging the DLQ: a 404 there means it is not in this vhost.
                if (BrokerReplies.all(e).anyMatch(r -> r.channel() && r.is(AMQP.NOT_FOUND))) {
                    throw noQueue(DeadLetterOnFailure.deadLetterQueue(queue.queue()), "--queue");
                }
                throw e;
            } finally {
                out.flush();
            }
        }

        abstract int run(DeadLetterQueue dlq, PrintWriter out) throws Exception;

        /** A missing queue is a wrong {@code flag} or --vhost (exit status 2), said as the broker says it. */
        InvalidSettingException noQueue(String name, String flag) {
            return new InvalidSettingException("no queue '" + name + "' in vhost '" + amqp().effectiveVhost()
                    + "' (is " + flag + " / --vhost right?)");
        }

        /** Fails with {@link #noQueue} unless queue {@code name} exists (a passive declare on a channel of its own). */
        void requireQueue(String name, String flag) throws IOException {
            try (Channel channel = connections.publishing().createChannel()) {
                channel.queueDeclarePassive(name);
            } catch (IOException e) {
                if (BrokerReplies.all(e).anyMatch(r -> r.channel() && r.is(AMQP.NOT_FOUND))) {
                    throw noQueue(name, flag);
                }
                throw e;
            } catch (TimeoutException e) {
                throw new IOException("no answer from the broker while looking for queue '" + name + "'", e);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Prints a table of dead letters, oldest first: message id, task type, attempts, error, failed at.")
    static final class ListCommand extends Base {
        @Option(names = "--type", paramLabel = "TASK_TYPE", description = "Only this task type.")
        String type;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N rows (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        int run(DeadLetterQueue dlq, PrintWriter out) throws Exception {
            if (limit < 1) {
                throw new InvalidSettingException("--limit must be >= 1, was " + limit);
            }
            List<DeadLetter> letters = dlq.list(queue.queue(), letter -> type == null || type.equals(letter.taskType()), limit);
            String format = "%-36s  %-20s  %8s  %-40s  %s%n";
            out.printf(format, "MESSAGE ID", "TASK TYPE", "ATTEMPTS", "ERROR", "FAILED AT");
            for (DeadLetter letter : letters) {
                out.printf(format, letter.messageId() == null ? "-" : letter.messageId(), cut(letter.taskType(), 20),
                        letter.attempts(), cut(describe(letter), 40), letter.failedAt() == null ? "-" : letter.failedAt());
            }
            out.printf("%d shown; %d in %s.dlq%n", letters.size(), dlq.size(queue.queue()), queue.queue());
            Object version = connections.publishing().getServerProperties().get("version");
            DeliveryLimitWarning.of(version == null ? null : version.toString(),
                    DeadLetterOnFailure.deadLetterQueue(queue.queue()), letters)
                    .ifPresent(warning -> spec.commandLine().getErr().println("warning: " + warning));
            return ExitCodes.OK;
        }

        private static String describe(DeadLetter letter) {
            String error = letter.error() == null ? "-" : letter.error().substring(letter.error().lastIndexOf('.') + 1);
            return letter.errorMessage() == null ? error : error + ": " + letter.errorMessage();
        }

        private static String cut(String text, int width) {
            return text.length() <= width ? text : text.substring(0, width - 1) + "…";
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints one dead letter's properties, headers and body.")
    static final class ShowCommand extends Base {
        @Parameters(paramLabel = "MESSAGE_ID", description = "The message id, as 'dlq list' shows it.")
        String id;

        @Override
        int run(DeadLetterQueue dlq, PrintWriter out) throws Exception {
            List<DeadLetter> found = dlq.list(queue.queue(), letter -> id.equals(letter.messageId()), 1);
            if (found.isEmpty()) {
                spec.commandLine().getErr().println("error: no message with id " + id + " in " + queue.queue() + ".dlq");
                return ExitCodes.USAGE;
            }
            DeadLetter letter = found.get(0);
            var props = letter.properties();
            out.println("message id:    " + letter.messageId());
            out.println("task type:     " + letter.taskType());
            out.println("attempts:      " + letter.attempts());
            out.println("source queue:  " + letter.sourceQueue());
            out.println("error:         " + letter.error());
            out.println("error message: " + letter.errorMessage());
            out.println("failed at:     " + letter.failedAt());
            out.println("properties:    delivery_mode=" + props.getDeliveryMode() + " content_type=" + props.getContentType()
                    + " type=" + props.getType() + " timestamp=" + props.getTimestamp() + " app_id=" + props.getAppId()
                    + " reply_to=" + props.getReplyTo());
            Map<String, Object> headers = new TreeMap<>(dev.warren.core.wire.TaskCodec.plainHeaders(props.getHeaders()));
            headers.remove(TaskHeaders.STACK_TRACE);
            out.println("headers:");
            headers.forEach((key, value) -> out.println("  " + key + " = " + value));
            if (letter.stackTrace() != null) {
                out.println("stack trace:");
                letter.stackTrace().lines().forEach(line -> out.println("  " + line));
            }
            out.println(letter.isWhole() ? "body:" : "body (the first " + letter.body().length + " of "
                    + letter.bodyBytes() + " bytes):");
            out.println(new String(letter.body(), StandardCharsets.UTF_8));
            return ExitCodes.OK;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Moves dead letters back to the work queue with the attempt counter reset.",
                "Each copy is confirmed by the broker before the dead letter is removed. Prints how many moved."})
    static final class ReplayCommand extends Base {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Selection selection;

        @Option(names = "--to", paramLabel = "QUEUE", description = "Publish to this queue instead of --queue; it must exist (exit status 2 when not, nothing moved).")
        String to;

        @Mixin
        EventsOptions events;

        static final class Selection {
            @Option(names = "--id", paramLabel = "MESSAGE_ID", description = "One message (exit status 2 when no dead"
                    + " letter has this id).")
            String id;

            @Option(names = "--type", paramLabel = "TASK_TYPE", description = "Every message of a task type.")
            String type;

            @Option(names = "--all", description = "Every message.")
            boolean all;
        }

        @Override
        int run(DeadLetterQueue dlq, PrintWriter out) throws Exception {
            Predicate<DeadLetter> filter = selection.all ? letter -> true
                    : selection.id != null ? letter -> selection.id.equals(letter.messageId())
                    : letter -> selection.type.equals(letter.taskType());
            String target = to != null ? to : queue.queue();
            // A copy to a missing queue is unroutable: say so before moving anything.
            requireQueue(target, to != null ? "--to" : "--queue");
            String dlqName = DeadLetterOnFailure.deadLetterQueue(queue.queue());
            int moved;
            try (ProducerEvents emitted = ProducerEvents.open(events, connections, amqp().connectionName())) {
                moved = dlq.replay(queue.queue(), filter, target,
                        letter -> emitted.replayed(letter.messageId(), letter.taskType(), target, dlqName));
            }
            if (moved == 0 && selection.id != null) {
                // One message was asked for: none moving means the id is wrong, as 'dlq show' says.
                throw new InvalidSettingException("no dead letter with id " + selection.id + " in " + dlqName);
            }
            out.printf("replayed %d message(s) from %s.dlq to %s%n", moved, queue.queue(), target);
            return ExitCodes.OK;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Deletes every message in the dead-letter queue.")
    static final class PurgeCommand extends Base {
        @Option(names = "--yes", description = "Confirm: the messages are gone for good.")
        boolean yes;

        @Override
        int run(DeadLetterQueue dlq, PrintWriter out) throws Exception {
            if (!yes) {
                throw new InvalidSettingException("purge deletes every message in " + queue.queue()
                        + ".dlq for good; add --yes to confirm");
            }
            out.printf("purged %d message(s) from %s.dlq%n", dlq.purge(queue.queue()), queue.queue());
            return ExitCodes.OK;
        }
    }

    @Command(name = "safety-net", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Sets or removes a broker policy that dead-letters to <queue>.dlq whatever the broker would",
                "drop from the work queue (a reject without requeue by another client, an expired message TTL).",
                "Uses the management HTTP API; the work queue itself keeps no arguments."})
    static final class SafetyNetCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConnectionOptions connection;

        @Mixin
        QueueOption queue;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Action action;

        @Option(names = "--management-url", paramLabel = "URL",
                defaultValue = "${env:WARREN_MANAGEMENT_URL:-http://localhost:15672}",
                description = "Management API base URL (env WARREN_MANAGEMENT_URL; default ${DEFAULT-VALUE}).")
        URI managementUrl;

        static final class Action {
            @Option(names = "--apply", description = "Set the policy.")
            boolean apply;

            @Option(names = "--remove", description = "Remove the policy.")
            boolean remove;
        }

        @Override
        public Integer call() throws Exception {
            AmqpSettings amqp = connection.toSettings("warren-dlq@" + ProcessHandle.current().pid());
            SafetyNetPolicy policy = new SafetyNetPolicy(managementUrl, amqp.effectiveUsername(), amqp.effectivePassword());
            PrintWriter out = spec.commandLine().getOut();
            String name = SafetyNetPolicy.policyName(queue.queue());
            if (action.apply) {
                policy.apply(amqp.effectiveVhost(), queue.queue());
                out.printf("policy %s set: '%s' dead-letters to '%s.dlq'%n", name, queue.queue(), queue.queue());
            } else {
                policy.remove(amqp.effectiveVhost(), queue.queue());
                out.printf("policy %s removed%n", name);
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
