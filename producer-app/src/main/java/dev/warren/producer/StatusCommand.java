package dev.warren.producer;

import com.google.inject.Guice;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.ExitCodes;
import dev.warren.cli.QueueOption;
import dev.warren.core.CoreModule;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.spi.DeadLetterOnFailure;
import dev.warren.core.publish.RouteTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code status}: ready messages and consumers of a work queue and its dead-letter queue. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints ready messages and consumers of the work queue and its dead-letter queue, one line each,",
            "e.g. 'task_queue: 0 ready, 2 consumers', or 'task_queue: does not exist'. Uses passive declares:",
            "it never creates a queue. Exit status 3 when the broker is unreachable, refuses access or the",
            "connection is lost."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    QueueOption queue;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        var injector = Guice.createInjector(new CoreModule(
                connection.toSettings("warren-status@" + ProcessHandle.current().pid()), RouteTable.allTo(queue.queue())));
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class)) {
            Connection conn = connections.publishing();
            for (String name : List.of(queue.queue(), DeadLetterOnFailure.deadLetterQueue(queue.queue()))) {
                out.println(describe(conn, name));
                out.flush();
            }
        }
        return ExitCodes.OK;
    }

    /**
     * One line about queue {@code name}: its ready messages and consumers; "does not exist" only
     * when the broker answers the passive declare with {@code NOT_FOUND} (404); the broker's reply
     * when it closes the channel for another reason, such as {@code RESOURCE_LOCKED} for a queue
     * exclusive to another connection. Blocks for one round trip.
     *
     * @throws BrokerUnavailableException (exit status 3) when the broker refuses access
     *         ({@code ACCESS_REFUSED}), or the connection is lost or closed before it answers
     */
    static String describe(Connection connection, String name) {
        try {
            // A passive declare of a missing queue closes its channel, so each queue gets its own.
            Channel channel = connection.createChannel();
            if (channel == null) {
                throw new BrokerUnavailableException("reading queue '" + name + "' failed: the broker allows no more"
                        + " channels on the connection to " + address(connection), null);
            }
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(name);
            channel.close();
            return name + ": " + ok.getMessageCount() + " ready, " + ok.getConsumerCount() + " consumers";
        } catch (IOException | ShutdownSignalException e) {
            Optional<Reply> close = channelClose(e);
            if (close.isPresent() && close.get().is(AMQP.NOT_FOUND)) {
                return name + ": does not exist";
            }
            if (close.isPresent() && !close.get().is(AMQP.ACCESS_REFUSED)) {
                return name + ": " + close.get().text();
            }
            // ExitCodes prints an ACCESS_REFUSED message as it is, with the permissions to grant.
            String why = close.map(r -> "reading queue '" + name + "' failed: " + r.text())
                    .orElseGet(() -> "lost the connection to " + address(connection) + " while reading queue '" + name
                            + "': " + connectionLoss(e));
            throw new BrokerUnavailableException(why, e);
        } catch (TimeoutException e) {
            throw new BrokerUnavailableException("lost the connection to " + address(connection)
                    + " while reading queue '" + name + "': the broker did not answer closing the channel", e);
        }
    }

    /** The broker's channel.close when it closed only this channel (a soft error), else empty. */
    static Optional<Reply> channelClose(Exception e) {
        ShutdownSignalException signal = signal(e);
        return signal == null || signal.isHardError() ? Optional.empty() : BrokerReplies.of(signal).filter(Reply::channel);
    }

    /** {@code e} itself when it is the shutdown signal, else its direct cause when that is; else null. */
    private static ShutdownSignalException signal(Exception e) {
        return e instanceof ShutdownSignalException s ? s : e.getCause() instanceof ShutdownSignalException s ? s : null;
    }

    /**
     * Why the connection went away, in one line: the broker's reply text when it closed the
     * connection, else the I/O error (a client that noticed earlier keeps only its text).
     */
    private static String connectionLoss(Exception e) {
        ShutdownSignalException signal = signal(e);
        Optional<Reply> close = BrokerReplies.of(signal).filter(r -> !r.channel());
        if (close.isPresent()) {
            return close.get().text();
        }
        if (signal == e && e.getCause() == null) {
            return e.getMessage();
        }
        return AmqpConnections.describe(e);
    }

    private static String address(Connection connection) {
        return connection.getAddress().getHostAddress() + ":" + connection.getPort();
    }
}
