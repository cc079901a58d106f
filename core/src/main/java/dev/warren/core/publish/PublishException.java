package dev.warren.core.publish;

/**
 * A publish was not confirmed by the broker. The {@link Reason} says why; the message names the
 * routing key and message id. The caller still owns the task: publish it again or report it.
 */
public final class PublishException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a publish failed. */
    public enum Reason {
        /** The broker refused the message ({@code basic.nack}), for example a full queue with reject-publish. */
        NACKED,
        /** No queue is bound for the routing key ({@code basic.return} of a mandatory publish). */
        UNROUTABLE,
        /** The channel or connection closed before the confirm arrived. */
        CONNECTION_LOST,
        /** No confirm arrived in time. */
        TIMEOUT,
        /**
         * amqp-client could not encode the message, so it was never sent: its headers are over the
         * connection's frame size, or a property is over 255 bytes. Sending it again cannot help.
         */
        UNENCODABLE
    }

    private final Reason reason;

    public PublishException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PublishException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
