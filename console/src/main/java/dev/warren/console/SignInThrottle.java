package dev.warren.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing through the console: after {@link #FREE_FAILURES} failed sign-ins in a
 * row for one user name, that name is locked for {@link #FIRST_LOCK}, doubling with each further
 * failure up to {@link #LONGEST_LOCK}; a locked name is refused without asking the broker. A
 * successful sign-in clears the name's failures, and so does {@link #FORGET_AFTER} without failures.
 *
 * <p>Every attempt is {@linkplain #reserve reserved} before the broker is asked, in the same atomic
 * step that reads the failures, so parallel guesses cannot all pass a check made before any of them
 * failed: at most {@code FREE_FAILURES - failures} attempts for a name are in flight at once (one
 * at a time once a lock has run out), and the rest are refused as if locked.
 *
 * <p>Keyed by user name, not by client address: behind a proxy every client has the proxy's
 * address. The cost is that a guesser can keep a user locked out of the console (not out of
 * RabbitMQ) for at most {@link #LONGEST_LOCK} at a time. At most {@link #MAX_NAMES} names are kept
 * unless more are locked; past it the oldest unlocked records are dropped, never a lock. Thread safe.
 */
final class SignInThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration LONGEST_LOCK = Duration.ofMinutes(5);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    /** Most user names remembered; past it the oldest unlocked records are dropped (a flood of names cannot fill memory). */
    static final int MAX_NAMES = 10_000;
    /** How long a refused attempt is told to wait while earlier attempts for the name are still being checked. */
    static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(1);

    /**
     * An attempt not let through.
     *
     * @param locked true when the name is locked; false when attempts already in flight could lock it
     * @param retryAfter how long to wait before trying again
     */
    record Refusal(boolean locked, Duration retryAfter) {
    }

    /**
     * One name's record.
     *
     * @param failures    failed sign-ins in a row
     * @param inFlight    attempts reserved and not yet ended
     * @param last        the last failure, or the first reservation when there was none
     * @param lockedUntil end of the lock, null when not locked
     */
    private record Attempts(int failures, int inFlight, Instant last, Instant lockedUntil) {

        boolean lockedAt(Instant now) {
            return lockedUntil != null && now.isBefore(lockedUntil);
        }

        /** No failures to remember and nothing in flight: the record can go. */
        boolean idleAt(Instant now) {
            return inFlight == 0 && !lockedAt(now) && (failures == 0 || !last.isAfter(now.minus(FORGET_AFTER)));
        }
    }

    private final Clock clock;
    private final Map<String, Attempts> records = new ConcurrentHashMap<>();

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Reserves one attempt to sign in as {@code user}. When it returns empty, the caller asks the
     * broker and then calls exactly one of {@link #failed}, {@link #succeeded} or {@link #released}.
     *
     * @return empty when reserved; otherwise why not and how long to wait
     */
    Optional<Refusal> reserve(String user) {
        Instant now = clock.instant();
        if (!records.containsKey(user) && records.size() >= MAX_NAMES) {
            evict(now);
        }
        Refusal[] refusal = new Refusal[1];
        records.compute(user, (name, before) -> {
            Attempts record = before == null || before.last().isBefore(now.minus(FORGET_AFTER)) && !before.lockedAt(now)
                    ? new Attempts(0, before == null ? 0 : before.inFlight(), now, null) : before;
            if (record.lockedAt(now)) {
                refusal[0] = new Refusal(true, Duration.between(now, record.lockedUntil()));
                return record;
            }
            if (record.inFlight() >= Math.max(1, FREE_FAILURES - record.failures())) {
                refusal[0] = new Refusal(false, IN_FLIGHT_WAIT);
                return record;
            }
            return new Attempts(record.failures(), record.inFlight() + 1, record.last(), record.lockedUntil());
        });
        return Optional.ofNullable(refusal[0]);
    }

    /** How long {@code user} must still wait before it may try again; empty when it is not locked. */
    Optional<Duration> lockedFor(String user) {
        Attempts record = records.get(user);
        Instant now = clock.instant();
        return record == null || !record.lockedAt(now) ? Optional.empty()
                : Optional.of(Duration.between(now, record.lockedUntil()));
    }

    /** A reserved sign-in as {@code user} was refused by the broker. */
    void failed(String user) {
        Instant now = clock.instant();
        records.compute(user, (name, before) -> {
            int count = before == null || before.last().isBefore(now.minus(FORGET_AFTER)) ? 1 : before.failures() + 1;
            return new Attempts(count, inFlightAfter(before), now,
                    count < FREE_FAILURES ? null : now.plus(lock(count)));
        });
    }

    /** A reserved sign-in as {@code user} succeeded: its failures are cleared. */
    void succeeded(String user) {
        end(user, true);
    }

    /** A reserved sign-in as {@code user} ended without the broker's answer (it could not be reached): nothing counted. */
    void released(String user) {
        end(user, false);
    }

    private void end(String user, boolean clear) {
        Instant now = clock.instant();
        records.computeIfPresent(user, (name, before) -> {
            Attempts after = clear ? new Attempts(0, inFlightAfter(before), before.last(), null)
                    : new Attempts(before.failures(), inFlightAfter(before), before.last(), before.lockedUntil());
            return after.idleAt(now) ? null : after;
        });
    }

    private static int inFlightAfter(Attempts before) {
        return before == null ? 0 : Math.max(0, before.inFlight() - 1);
    }

    /**
     * Makes room for a new name: drops the records with nothing to remember, then the oldest
     * unlocked ones without attempts in flight, down to 90 % of {@link #MAX_NAMES} so that not every
     * new name pays for a sort. Locks are never dropped: a locked name costs its guesser
     * {@link #FREE_FAILURES} refusals by the broker, so locks cannot be flooded cheaply.
     */
    private void evict(Instant now) {
        records.entrySet().removeIf(entry -> entry.getValue().idleAt(now));
        int excess = records.size() - MAX_NAMES * 9 / 10;
        if (excess <= 0) {
            return;
        }
        records.entrySet().stream().filter(entry -> entry.getValue().inFlight() == 0 && !entry.getValue().lockedAt(now))
                .sorted(Comparator.comparing(entry -> entry.getValue().last())).limit(excess).toList()
                // Removed only if unchanged since the snapshot: a record updated meanwhile stays.
                .forEach(entry -> records.remove(entry.getKey(), entry.getValue()));
    }

    /** The lock after the {@code count}-th failure in a row ({@code count >= FREE_FAILURES}). */
    static Duration lock(int count) {
        int doublings = Math.min(count - FREE_FAILURES, 10);
        Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
        return lock.compareTo(LONGEST_LOCK) > 0 ? LONGEST_LOCK : lock;
    }
}
