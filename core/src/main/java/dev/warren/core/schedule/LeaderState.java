package dev.warren.core.schedule;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the active replica knows: the progress merged from every state message it holds (the
 * latest due per schedule wins), the highest delivery tag among them, and since when it leads.
 * A replica leads from the first state message it receives until its lease connection closes.
 * Thread-safe: the lease's delivery thread and the scheduler's tick share it, under "this" — a
 * delivery merged after a snapshot has a higher tag than the snapshot's, so renewing with that
 * snapshot never acknowledges a message whose progress it does not contain.
 */
final class LeaderState {

    private final Map<String, SchedulerToken.Progress> progress = new HashMap<>();
    private long highestTag = -1;
    private Instant leadingSince;

    /**
     * Merges a delivered state message; returns the token the replica took over from when this
     * delivery made it the active one, empty otherwise.
     */
    synchronized Optional<SchedulerToken> merge(SchedulerToken token, long deliveryTag, Instant now) {
        token.schedules().forEach((name, p) -> progress.merge(name, p, SchedulerToken.Progress::laterOf));
        highestTag = Math.max(highestTag, deliveryTag);
        if (leadingSince == null) {
            leadingSince = now;
            return Optional.of(token);
        }
        return Optional.empty();
    }

    /** The lease is gone: forget everything, lead no more. */
    synchronized void lost() {
        progress.clear();
        highestTag = -1;
        leadingSince = null;
    }

    synchronized boolean leading() {
        return leadingSince != null;
    }

    synchronized Instant leadingSince() {
        return leadingSince;
    }

    /** The progress of schedule {@code name}, if known. */
    synchronized Optional<SchedulerToken.Progress> progress(String name) {
        return Optional.ofNullable(progress.get(name));
    }

    /** Records new progress of {@code name}, if this replica still leads. */
    synchronized void advance(String name, SchedulerToken.Progress next) {
        if (leadingSince != null) {
            progress.merge(name, next, SchedulerToken.Progress::laterOf);
        }
    }

    /** The state to publish and the highest tag it covers; empty when not leading. */
    synchronized Optional<Snapshot> snapshot(String replica, Instant now) {
        if (leadingSince == null) {
            return Optional.empty();
        }
        return Optional.of(new Snapshot(new SchedulerToken(replica, now.toString(), progress), highestTag));
    }

    /** A state message to publish and the delivery tag up to which the held ones are then acknowledged. */
    record Snapshot(SchedulerToken token, long coversTag) {
    }
}
