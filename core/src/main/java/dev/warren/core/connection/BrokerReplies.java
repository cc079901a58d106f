package dev.warren.core.connection;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The broker's reply codes in failures: when RabbitMQ refuses an operation it closes the channel
 * ({@code channel.close}, such as {@code NOT_FOUND} 404 for a passive declare of a missing queue)
 * or the whole connection ({@code connection.close}, such as {@code NOT_ALLOWED} 530 for a refused
 * vhost), and amqp-client reports that as a {@link ShutdownSignalException} whose reason is the
 * close, usually wrapped in an {@link java.io.IOException}. This reads the code and text back.
 *
 * <p>Public only for Warren's own modules (the apps, the console, events), not for task authors.
 * Stateless and thread-safe.
 */
public final class BrokerReplies {

    /**
     * One close the broker sent.
     *
     * @param code the AMQP reply code, such as {@link AMQP#NOT_FOUND}
     * @param text the broker's reply text, such as {@code NOT_FOUND - no queue 'q' in vhost '/'}
     * @param channel true for a {@code channel.close} (only that channel closed), false for a
     *        {@code connection.close}
     */
    public record Reply(int code, String text, boolean channel) {

        /** Whether this reply's code is one of {@code codes}. */
        public boolean is(int... codes) {
            for (int c : codes) {
                if (code == c) {
                    return true;
                }
            }
            return false;
        }
    }

    private BrokerReplies() {
    }

    /**
     * The close that {@code e} itself carries, not looking at its causes: present when {@code e}
     * is a {@link ShutdownSignalException} whose reason is a {@code channel.close} or a
     * {@code connection.close}; empty otherwise, also for {@code null}.
     */
    public static Optional<Reply> of(Throwable e) {
        if (e instanceof ShutdownSignalException signal) {
            if (signal.getReason() instanceof AMQP.Channel.Close close) {
                return Optional.of(new Reply(close.getReplyCode(), close.getReplyText(), true));
            }
            if (signal.getReason() instanceof AMQP.Connection.Close close) {
                return Optional.of(new Reply(close.getReplyCode(), close.getReplyText(), false));
            }
        }
        return Optional.empty();
    }

    /**
     * The closes in {@code e} and its causes, {@code e}'s first, then its cause's, and so on down
     * the chain: filter them for the kind and code a caller handles, take the first for its text.
     * Empty when there is none, also for {@code null}.
     */
    public static Stream<Reply> all(Throwable e) {
        return Stream.iterate(e, Objects::nonNull, Throwable::getCause).flatMap(t -> of(t).stream());
    }
}
