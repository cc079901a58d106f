package dev.warren.test;

import com.rabbitmq.client.AMQP;
import java.lang.reflect.Type;
import java.time.Instant;

/**
 * A task {@link TaskHarness#enqueue enqueued} in the harness but not delivered yet: its message
 * as the worker would receive it. Deliver it with {@link TaskHarness#deliver}, after moving the
 * clock if the test is about its age.
 *
 * @param <R> the result type
 */
public final class QueuedTask<R> {

    final AMQP.BasicProperties properties;
    final byte[] body;
    final Type resultType;

    QueuedTask(AMQP.BasicProperties properties, byte[] body, Type resultType) {
        this.properties = properties;
        this.body = body.clone();
        this.resultType = resultType;
    }

    /** Its {@code message_id}, or {@code null} for a raw body sent without one. */
    public String id() {
        return properties.getMessageId();
    }

    /** Its {@code timestamp}, to the whole second as AMQP carries it, or {@code null}. */
    public Instant publishedAt() {
        return properties.getTimestamp() == null ? null : properties.getTimestamp().toInstant();
    }
}
