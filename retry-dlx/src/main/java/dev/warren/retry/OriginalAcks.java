package dev.warren.retry;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Acknowledges (removes) the dead-lettered originals of a replay, each only after the broker
 * confirmed its copy. Contiguous confirmed originals go in one {@code basic.ack(multiple)}; when
 * an original that stays (not matching, or its copy failed) lies below, one by one, since a
 * multiple ack would remove it too. Thread safe: the reading thread reports what it sends and
 * keeps, the publisher's confirm thread reports confirms and failures.
 */
final class OriginalAcks {

    private final Channel channel;
    // Guarded by this. Delivery tag of each original whose copy was sent -> whether it was confirmed.
    private final TreeMap<Long, Boolean> sent = new TreeMap<>();
    // Guarded by this. The lowest delivery tag that stays in the dead-letter queue.
    private long lowestKept = Long.MAX_VALUE;
    private boolean closed;

    OriginalAcks(Channel channel) {
        this.channel = channel;
    }

    /** The original {@code tag} stays in the dead-letter queue. */
    synchronized void kept(long tag) {
        lowestKept = Math.min(lowestKept, tag);
    }

    /** The copy of original {@code tag} was published; its confirm is awaited. */
    synchronized void sent(long tag) {
        sent.put(tag, false);
    }

    /**
     * The copy of original {@code tag} was confirmed: it goes, once every copy sent before it is
     * settled. False when too late ({@link #close()}): the original stays next to its copy.
     */
    synchronized boolean confirmed(long tag) throws IOException {
        if (closed) {
            return false;
        }
        sent.put(tag, true);
        ackSettledPrefix();
        return true;
    }

    /** The copy of original {@code tag} failed: the original stays. */
    synchronized void failed(long tag) throws IOException {
        sent.remove(tag);
        kept(tag);
        if (!closed) {
            ackSettledPrefix();
        }
    }

    /** From now on nothing is acknowledged: what is not acknowledged yet goes back to the queue. */
    synchronized void close() {
        closed = true;
    }

    private void ackSettledPrefix() throws IOException {
        List<Long> confirmed = new ArrayList<>();
        while (!sent.isEmpty() && sent.firstEntry().getValue()) {
            Map.Entry<Long, Boolean> first = sent.pollFirstEntry();
            confirmed.add(first.getKey());
        }
        if (confirmed.isEmpty()) {
            return;
        }
        long last = confirmed.get(confirmed.size() - 1);
        if (last < lowestKept) {
            // Every tag up to last was visited, in order: each was acknowledged before or is confirmed now.
            channel.basicAck(last, true);
        } else {
            for (long tag : confirmed) {
                channel.basicAck(tag, false);
            }
        }
    }
}
