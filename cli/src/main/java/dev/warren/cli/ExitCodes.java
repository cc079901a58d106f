package dev.warren.cli;

import com.rabbitmq.client.AMQP;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.consume.TopologyMismatchException;
import dev.warren.core.publish.PublishException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Exit codes of the Warren apps, and the handler that turns known failures into one clear line
 * on stderr instead of a stack trace. Unknown failures still print their stack trace.
 */
public final class ExitCodes {

    /** Success. */
    public static final int OK = 0;
    /** An unexpected error (a bug): the stack trace is printed. */
    public static final int SOFTWARE = 1;
    /** Bad flags or settings. */
    public static final int USAGE = 2;
    /**
     * The broker could not be reached, refused the credentials or access to a queue or vhost, or
     * the connection was lost while a command waited for the broker.
     */
    public static final int BROKER_UNAVAILABLE = 3;
    /** A queue exists with other arguments than Warren declares. */
    public static final int TOPOLOGY_MISMATCH = 4;
    /** A publish was nacked, unroutable or lost, or a result did not arrive in time. */
    public static final int NOT_DELIVERED = 5;

    private ExitCodes() {
    }

    /**
     * A picocli command line for {@code command} with Warren's exception handling and exit codes;
     * an empty {@code WARREN_*} variable counts as unset.
     */
    public static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setDefaultValueProvider(new EmptyEnvironment(System.getenv()));
        cli.setExecutionExceptionHandler((e, line, parseResult) -> {
            Throwable cause = brokerUnavailable(unwrap(e));
            String refusal = accessRefusal(cause);
            if (refusal != null) {
                // A missing permission is the operator's to fix, not a crash: one line, no stack trace.
                String message = cause.getMessage() != null && cause.getMessage().contains(refusal)
                        ? cause.getMessage() : "the broker refused access: " + refusal;
                // A message that already points to the docs (the scheduler's lease) says what to grant itself.
                line.getErr().println("error: " + message + (message.contains("docs/") ? ""
                        : " (grant the permissions of docs/reliability.md, \"Least privilege\")"));
                return BROKER_UNAVAILABLE;
            }
            int code = codeFor(cause);
            if (code == SOFTWARE) {
                line.getErr().println("error: " + cause);
                cause.printStackTrace(line.getErr());
            } else {
                line.getErr().println("error: " + cause.getMessage());
            }
            return code;
        });
        return cli;
    }

    static int codeFor(Throwable cause) {
        if (cause instanceof InvalidSettingException || cause instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (cause instanceof BrokerUnavailableException) {
            return BROKER_UNAVAILABLE;
        }
        if (cause instanceof TopologyMismatchException) {
            return TOPOLOGY_MISMATCH;
        }
        if (cause instanceof PublishException || cause instanceof TimeoutException) {
            return NOT_DELIVERED;
        }
        // A refused publish often reaches here inside the failure of what sent it ("replaying 'q.dlq' to 't'
        // stopped after 0 letter(s): ..."): the message was still not delivered.
        if (Stream.iterate(cause, Objects::nonNull, Throwable::getCause).anyMatch(PublishException.class::isInstance)) {
            return NOT_DELIVERED;
        }
        return SOFTWARE;
    }

    /**
     * The {@link BrokerUnavailableException} among the causes, else {@code e}: a publish that fails
     * because the connection cannot be opened is about the broker (wrong password, unreachable), not
     * about that message.
     */
    private static Throwable brokerUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BrokerUnavailableException) {
                return t;
            }
        }
        return e;
    }

    /** The broker's text when it closed a channel or connection with {@code ACCESS_REFUSED} (403) somewhere in the causes. */
    static String accessRefusal(Throwable e) {
        return BrokerReplies.all(e).filter(r -> r.is(AMQP.ACCESS_REFUSED)).findFirst().map(Reply::text).orElse(null);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable current = e;
        while ((current instanceof ExecutionException || current instanceof CompletionException
                || current instanceof com.google.inject.ProvisionException
                || current instanceof com.google.inject.CreationException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
