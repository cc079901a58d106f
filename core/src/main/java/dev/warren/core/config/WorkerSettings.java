package dev.warren.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a worker consumes: which queue, how many consumers, how many unacknowledged deliveries
 * each may hold, and how long a graceful shutdown may take.
 *
 * @param queue                  the work queue (default {@code task_queue})
 * @param concurrency            consumers, each on its own channel and thread (default 1)
 * @param prefetch               {@code basic.qos} per consumer; 1 keeps fair dispatch (default 1)
 * @param shutdownTimeout        how long a graceful stop waits for in-flight tasks (default 30s)
 * @param brokerConsumerTimeout  the broker's {@code consumer_timeout} when the operator states it,
 *                               or {@code null} if unknown (the broker default is 30 minutes)
 * @param maxMessageBytes        largest body a task may have; bigger ones go to the DLQ unread, through a file
 *                               rather than the heap (default 1 MiB)
 */
public record WorkerSettings(String queue, int concurrency, int prefetch, Duration shutdownTimeout,
                             Duration brokerConsumerTimeout, int maxMessageBytes) {

    /** Default largest task body: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    /** The work queue name of the classic recipe. */
    public static final String DEFAULT_QUEUE = "task_queue";

    /** RabbitMQ's default {@code consumer_timeout}. */
    public static final Duration BROKER_DEFAULT_CONSUMER_TIMEOUT = Duration.ofMinutes(30);

    public WorkerSettings {
        Objects.requireNonNull(queue, "queue");
        InvalidSettingException.require(!queue.isBlank() && queue.length() <= 200 && !queue.startsWith("amq."),
                "queue must be a non-empty name of at most 200 characters not starting with 'amq.', was '" + queue + "'");
        InvalidSettingException.require(concurrency >= 1 && concurrency <= 1000,
                "concurrency must be between 1 and 1000, was " + concurrency);
        InvalidSettingException.require(prefetch >= 1 && prefetch <= 65535,
                "prefetch must be between 1 and 65535, was " + prefetch);
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        InvalidSettingException.require(!shutdownTimeout.isNegative(),
                "shutdown timeout must be >= 0s, was " + Durations.format(shutdownTimeout));
        InvalidSettingException.require(brokerConsumerTimeout == null || brokerConsumerTimeout.isPositive(),
                "broker consumer timeout must be > 0, was " + brokerConsumerTimeout);
        InvalidSettingException.require(maxMessageBytes >= 1024 && maxMessageBytes <= 512 * 1024 * 1024,
                "max message bytes must be between 1024 and 536870912, was " + maxMessageBytes);
    }

    /** Defaults for {@code queue}: concurrency 1, prefetch 1, 30 s shutdown timeout. */
    public static WorkerSettings of(String queue) {
        return new WorkerSettings(queue, 1, 1, Duration.ofSeconds(30), null, DEFAULT_MAX_MESSAGE_BYTES);
    }

    public WorkerSettings withConcurrency(int value) {
        return new WorkerSettings(queue, value, prefetch, shutdownTimeout, brokerConsumerTimeout, maxMessageBytes);
    }

    public WorkerSettings withPrefetch(int value) {
        return new WorkerSettings(queue, concurrency, value, shutdownTimeout, brokerConsumerTimeout, maxMessageBytes);
    }

    public WorkerSettings withShutdownTimeout(Duration value) {
        return new WorkerSettings(queue, concurrency, prefetch, value, brokerConsumerTimeout, maxMessageBytes);
    }

    public WorkerSettings withMaxMessageBytes(int value) {
        return new WorkerSettings(queue, concurrency, prefetch, shutdownTimeout, brokerConsumerTimeout, value);
    }

    public WorkerSettings withBrokerConsumerTimeout(Duration value) {
        return new WorkerSettings(queue, concurrency, prefetch, shutdownTimeout, value, maxMessageBytes);
    }
}
