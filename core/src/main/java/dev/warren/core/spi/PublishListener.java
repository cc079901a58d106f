package dev.warren.core.spi;

import java.time.Duration;

/**
 * Observes publishes of the {@link dev.warren.core.publish.TaskPublisher} as their confirms (or
 * failures) arrive; the metrics module records them. Register with a Guice
 * {@code Multibinder<PublishListener>}. Called on amqp-client threads: must be fast, must not throw.
 */
public interface PublishListener {

    /** How a publish ended. */
    enum Result {
        /** The broker confirmed it. */
        CONFIRMED,
        /** The broker refused it ({@code basic.nack}). */
        NACKED,
        /** No queue for its routing key ({@code basic.return}). */
        RETURNED,
        /** The connection went away before the confirm. */
        FAILED;

        /** Lower-case name used in metrics. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A publish to {@code routingKey} of a message of {@code taskType} (its {@code type} property,
     * or {@code "unknown"}) ended with {@code result} after {@code latency}.
     */
    void published(String routingKey, String taskType, Result result, Duration latency);
}
