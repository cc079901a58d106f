package dev.warren.producer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.google.inject.Guice;
import dev.warren.cli.ConnectionOptions;
import dev.warren.cli.QueueOption;
import dev.warren.cli.ExitCodes;
import dev.warren.core.CoreModule;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.consume.DeadLetterOnFailure;
import dev.warren.core.publish.RouteTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code status}: ready messages and consumers of a work queue and its dead-letter queue. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints ready messages and consumers of the work queue and its dead-letter queue, one line each,",
            "e.g. 'task_queue: 0 ready, 2 consumers'. Uses passive declares: it never creates a queue."})
final class StatusCommand implements java.util.concurrent.Callable<Integer> {

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
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String describe(Connection connection, String name) throws IOException {
        // A passive declare of a missing queue closes its channel, so each queue gets its own.
        try (Channel channel = connection.createChannel()) {
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(name);
            return name + ": " + ok.getMessageCount() + " ready, " + ok.getConsumerCount() + " consumers";
        } catch (IOException e) {
            return name + ": does not exist";
        } catch (java.util.concurrent.TimeoutException e) {
            return name + ": no answer";
        }
    }
}
