package dev.warren.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.retry.RetryLadder;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Declares, inspects and deletes the benchmark's queues on one connection. Queue names are unique
 * per run ({@code warren-bench-<what>-<random>}); deleting a queue also deletes the queues a Warren
 * worker derives from it ({@code .dlq} and the default retry ladder). Thread-safe.
 */
final class QueueAdmin {

    private final Connection connection;

    QueueAdmin(Connection connection) {
        this.connection = connection;
    }

    /** A new queue name of this run. */
    static String uniqueName(String what) {
        return "warren-bench-" + what + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** Declares {@code queue} as Warren does: durable, no arguments. */
    synchronized void declare(String queue) throws IOException {
        try (Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    /** Ready messages and consumers of {@code queue}. */
    synchronized AMQP.Queue.DeclareOk inspect(String queue) throws IOException {
        try (Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(queue);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    /** Deletes {@code queue}, its dead-letter queue and its default retry queues; missing ones are fine. */
    synchronized void delete(String queue) {
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(queue, queue + ".dlq"));
        for (Duration delay : RetryLadder.DEFAULT.delays()) {
            names.add(RetryLadder.queueName(queue, delay));
        }
        for (String name : names) {
            try (Channel channel = connection.createChannel()) {
                channel.queueDelete(name);
            } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
                // Already gone: nothing to clean up.
            }
        }
    }
}
