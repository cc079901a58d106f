package dev.warren.core.schedule;

import java.time.Instant;
import java.util.List;

/**
 * What a scheduler does with runs it missed: due instants more than
 * {@link #MISFIRE_THRESHOLD_SECONDS} seconds in the past when it gets to them, because no replica
 * was active (all down, or the broker was) or the active one stalled. Runs less late than that
 * always fire, whatever the policy, so a takeover between replicas loses none.
 *
 * <ul>
 *   <li>{@link #fireOnce()} (the default): the missed runs fire once, as the latest of them;
 *   <li>{@link #skip()}: the missed runs do not fire; the schedule goes on with the next due;
 *   <li>{@link #fireAll(int)}: every missed run fires, oldest first, up to the latest
 *       {@code limit} of them; older ones do not fire.
 * </ul>
 *
 * A missed run that fires keeps its own due instant (in its message id and
 * {@code x-warren-due-at}), so a handler can tell it is late.
 *
 * @param kind  which policy
 * @param limit with {@link Kind#FIRE_ALL}: the most missed runs fired; 1 for fire-once, 0 for skip
 */
public record MisfirePolicy(Kind kind, int limit) {

    /** Runs due more than this many seconds ago when the scheduler gets to them are misfires. */
    public static final int MISFIRE_THRESHOLD_SECONDS = 5;

    /** The three policies. */
    public enum Kind { FIRE_ONCE, SKIP, FIRE_ALL }

    public MisfirePolicy {
        if (kind == null) {
            throw new IllegalArgumentException("misfire policy kind must be one of FIRE_ONCE, SKIP, FIRE_ALL, was null");
        }
        if (kind == Kind.FIRE_ALL && limit < 1) {
            throw new IllegalArgumentException("misfire fireAll limit must be >= 1, was " + limit);
        }
        // The limit of the other two is fixed, so that equal policies are equal records.
        if (kind != Kind.FIRE_ALL) {
            limit = kind == Kind.FIRE_ONCE ? 1 : 0;
        }
    }

    /** Missed runs fire once, as the latest of them (the default). */
    public static MisfirePolicy fireOnce() {
        return new MisfirePolicy(Kind.FIRE_ONCE, 1);
    }

    /** Missed runs do not fire. */
    public static MisfirePolicy skip() {
        return new MisfirePolicy(Kind.SKIP, 0);
    }

    /**
     * Every missed run fires, up to the latest {@code limit} of them.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    public static MisfirePolicy fireAll(int limit) {
        return new MisfirePolicy(Kind.FIRE_ALL, limit);
    }

    /** How many of the latest missed runs fire: 1, 0 or the limit. */
    int firedOfMissed() {
        return switch (kind) {
            case FIRE_ONCE -> 1;
            case SKIP -> 0;
            case FIRE_ALL -> limit;
        };
    }

    /** Which of {@code missed} (oldest first) fire: a tail of it, possibly empty. */
    List<Instant> select(List<Instant> missed) {
        return missed.subList(Math.max(0, missed.size() - firedOfMissed()), missed.size());
    }

    /** {@code fire-once}, {@code skip} or {@code fire-all(10)}. */
    public String describe() {
        return switch (kind) {
            case FIRE_ONCE -> "fire-once";
            case SKIP -> "skip";
            case FIRE_ALL -> "fire-all(" + limit + ")";
        };
    }
}
