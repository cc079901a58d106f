package dev.warren.core.publish;

import java.util.HashMap;
import java.util.Map;

/**
 * The two parallel sets of {@link DelayTopology} levels, each {@value DelayTopology#LEVELS} exchanges
 * and queues ending in the same {@value DelayTopology#DELIVER} exchange. A publisher picks one per
 * work queue ({@link RouteTable#isQuorum}): the quorum levels for a quorum work queue, the classic
 * ones otherwise.
 */
public enum DelayLevels {

    /**
     * Durable classic queues {@code warren.delay.<k>}: light, but the broker dead-letters from them
     * at most once (without confirmation), so a crash at that instant can lose the task.
     */
    CLASSIC("warren.delay.", Map.of("x-queue-type", "classic")),

    /**
     * Quorum queues {@code warren.delay.q.<k>} with {@code x-dead-letter-strategy=at-least-once}
     * (and {@code x-overflow=reject-publish}, which that strategy requires): a task moves to the next
     * level only once that level confirmed it, so no crash loses it; a crash may deliver it twice.
     * RabbitMQ 3.10 or newer, feature flag {@code stream_queue} enabled.
     */
    QUORUM("warren.delay.q.", Map.of(
            "x-queue-type", "quorum",
            "x-dead-letter-strategy", "at-least-once",
            "x-overflow", "reject-publish"));

    private final String prefix;
    private final Map<String, Object> arguments;

    DelayLevels(String prefix, Map<String, Object> arguments) {
        this.prefix = prefix;
        this.arguments = arguments;
    }

    /** The levels for a work queue: {@link #QUORUM} for a quorum queue, else {@link #CLASSIC}. */
    public static DelayLevels forWorkQueue(boolean quorum) {
        return quorum ? QUORUM : CLASSIC;
    }

    /** Name of level {@code k}'s exchange and queue. */
    public String level(int k) {
        if (k < 0 || k >= DelayTopology.LEVELS) {
            throw new IllegalArgumentException("delay level must be 0.." + (DelayTopology.LEVELS - 1) + ", was " + k);
        }
        return prefix + k;
    }

    /** The exchange any client may publish a delayed task to: the highest level. */
    public String entry() {
        return level(DelayTopology.LEVELS - 1);
    }

    /**
     * The exchange Warren publishes a delay of {@code seconds} to: the level of its highest set bit.
     * The higher levels would only pass the task on (their bits are 0), so it routes exactly as
     * through {@link #entry()}, minus up to 27 exchange-to-exchange hops the broker walks per publish.
     */
    public String entryFor(long seconds) {
        if (seconds < 1 || seconds > DelayTopology.MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("delay must be 1.." + DelayTopology.MAX_DELAY_SECONDS + " s, was " + seconds);
        }
        return level(63 - Long.numberOfLeadingZeros(seconds));
    }

    /** Where level {@code k} dead-letters to: level {@code k-1}'s exchange, or for level 0 {@value DelayTopology#DELIVER}. */
    String next(int k) {
        return k == 0 ? DelayTopology.DELIVER : level(k - 1);
    }

    /** The arguments of level {@code k}'s queue: its type, a TTL of 2^k seconds and its dead-letter exchange. */
    Map<String, Object> queueArguments(int k) {
        Map<String, Object> queue = new HashMap<>(arguments);
        queue.put("x-message-ttl", (1L << k) * 1000);
        queue.put("x-dead-letter-exchange", next(k));
        return Map.copyOf(queue);
    }
}
