package dev.warren.core.spi;

/**
 * Observes Warren's broker connections: recoveries and flow-control blocks. Register more with a
 * Guice {@code Multibinder<ConnectionListener>}; the metrics module does. Callbacks run on
 * amqp-client threads and must return quickly.
 */
public interface ConnectionListener {

    /** The connection was lost and automatic recovery begins. */
    default void recoveryStarted(String connectionName) {
    }

    /** Automatic recovery succeeded: connection, channels, consumers are back. */
    default void recovered(String connectionName) {
    }

    /** The broker blocked publishing on this connection (memory or disk alarm). */
    default void blocked(String connectionName, String reason) {
    }

    /** The broker lifted the block. */
    default void unblocked(String connectionName) {
    }
}
