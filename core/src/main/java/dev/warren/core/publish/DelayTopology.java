package dev.warren.core.publish;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The broker-held delay topology shared by every delayed task and work queue of a vhost (see
 * docs/scheduling.md): {@value #LEVELS} levels, level {@code k} being a topic exchange and a durable
 * queue both named {@code warren.delay.<k>} (classic queues) or {@code warren.delay.q.<k>} (quorum
 * queues, for quorum work queues: {@link DelayLevels}), the queue holding messages 2^k seconds before
 * dead-lettering them to level {@code k-1} (level 0 to {@value #DELIVER}, shared by both sets). A routing key carries the
 * delay's bits, highest first, then the destination queue ({@code 0.0.…1.0.1.images}): at level
 * {@code k} a message whose bit {@code k} is 1 waits in the queue, one whose bit is 0 passes on at
 * once. Any delay from 1 s to 2^28-1 s (about 8.5 years) crosses at most 28 queues, each with a
 * single TTL, so a short delay is never stuck behind a long one.
 *
 * <p>Stateless and thread-safe; declaring is idempotent.
 */
public final class DelayTopology {

    /** Number of levels: delays up to 2^28-1 seconds. */
    public static final int LEVELS = 28;
    /** Longest delay, in whole seconds. */
    public static final long MAX_DELAY_SECONDS = (1L << LEVELS) - 1;
    /** Exchange a delayed task for a classic work queue is published to: the highest classic level. */
    public static final String ENTRY = "warren.delay." + (LEVELS - 1);
    /** Exchange a delayed task for a quorum work queue is published to: the highest quorum level. */
    public static final String QUORUM_ENTRY = "warren.delay.q." + (LEVELS - 1);
    /** Topic exchange that routes a task whose delay is over to its work queue. */
    public static final String DELIVER = "warren.delay.deliver";
    /** Longest routing key AMQP allows, in bytes. */
    static final int MAX_ROUTING_KEY_BYTES = 255;

    private DelayTopology() {
    }

    /** Name of classic level {@code k}'s exchange and queue ({@link DelayLevels#CLASSIC}). */
    public static String level(int k) {
        return DelayLevels.CLASSIC.level(k);
    }

    /** Whole seconds a delay takes on the broker: rounded up, so a task never arrives before due. */
    public static long seconds(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive, was " + delay);
        }
        long seconds = delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0);
        if (seconds > MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("delay must be at most " + MAX_DELAY_SECONDS + " s (about 8.5 years), was "
                    + delay);
        }
        return seconds;
    }

    /**
     * The routing key for a task going to {@code queue} after {@code seconds}: {@value #LEVELS} words
     * {@code 0} or {@code 1} (bit 27 first), then the queue name.
     */
    public static String routingKey(long seconds, String queue) {
        if (seconds < 1 || seconds > MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("delay must be 1.." + MAX_DELAY_SECONDS + " s, was " + seconds);
        }
        StringBuilder key = new StringBuilder(2 * LEVELS + queue.length());
        for (int k = LEVELS - 1; k >= 0; k--) {
            key.append((seconds >> k) & 1).append('.');
        }
        key.append(queue);
        if (key.toString().getBytes(StandardCharsets.UTF_8).length > MAX_ROUTING_KEY_BYTES) {
            throw new IllegalArgumentException("queue name too long for a delayed task (at most "
                    + (MAX_ROUTING_KEY_BYTES - 2 * LEVELS) + " bytes): '" + queue + "'");
        }
        return key.toString();
    }

    /** The binding pattern of {@code queue} on {@link #DELIVER}: {@value #LEVELS} words, then the queue name. */
    public static String deliveryPattern(String queue) {
        return "*.".repeat(LEVELS) + queue;
    }

    /** Declares the exchanges, queues and bindings of every classic level; idempotent. */
    public static void declare(Channel channel) throws IOException {
        declare(channel, DelayLevels.CLASSIC);
    }

    /**
     * Declares the exchanges, queues and bindings of every level of {@code levels}, and
     * {@value #DELIVER}; idempotent.
     */
    public static void declare(Channel channel, DelayLevels levels) throws IOException {
        channel.exchangeDeclare(DELIVER, BuiltinExchangeType.TOPIC, true);
        for (int k = 0; k < LEVELS; k++) {
            channel.exchangeDeclare(levels.level(k), BuiltinExchangeType.TOPIC, true);
        }
        for (int k = 0; k < LEVELS; k++) {
            channel.queueDeclare(levels.level(k), true, false, false, levels.queueArguments(k));
            // Words before bit k's word: one per higher level.
            String higher = "*.".repeat(LEVELS - 1 - k);
            channel.queueBind(levels.level(k), levels.level(k), higher + "1.#");
            channel.exchangeBind(levels.next(k), levels.level(k), higher + "0.#");
        }
    }

    /** Binds {@code queue} (which must exist) to {@link #DELIVER}, so delayed tasks for it arrive; idempotent. */
    public static void bind(Channel channel, String queue) throws IOException {
        channel.queueBind(queue, DELIVER, deliveryPattern(queue));
    }
}
