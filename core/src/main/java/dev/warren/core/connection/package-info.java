/**
 * Broker connections: {@link dev.warren.core.connection.AmqpConnections} owns the consuming and
 * the publishing connection (automatic recovery, startup retry, then
 * {@link dev.warren.core.connection.BrokerUnavailableException}). {@code OversizedBodies} and
 * {@code OversizedBody} keep bodies over the worker's size limit in files; they are public only
 * for Warren's own modules (the consumer and retry-dlx's DLQ tools), not for apps or extensions.
 * {@code BrokerReplies} reads the broker's reply code and text (such as {@code NOT_FOUND}) out of a
 * failure's causes, likewise for Warren's own modules.
 * Connection events reach {@link dev.warren.core.spi.ConnectionListener}s.
 */
package dev.warren.core.connection;
