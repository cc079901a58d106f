package dev.warren.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing through the console: after {@link #FREE_FAILURES} failed sign-ins in a
 * row for one user name, that name is locked for {@link #FIRST_LOCK}, doubling with each further
 * failure up to {@link #LONGEST_LOCK}; a locked name is refused without asking the broker. A
 * successful sign-in clears the name's record, and so does {@link #FORGET_AFTER} without failures.
 *
 * <p>Keyed by user name, not by client address: behind a proxy every client has the proxy's
 * address. The cost is that a guesser can keep a user locked out of the console (not out of
 * RabbitMQ) for at most {@link #LONGEST_LOCK} at a time. Thread safe.
 */
final class SignInThrottle {

    static final int FREE_FAILURES = 5;
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration LONGEST_LOCK = Duration.ofMinutes(5);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    /** Most user names remembered; past it the oldest records are dropped (a flood of names cannot fill memory). */
    static final int MAX_NAMES = 10_000;

    private record Failures(int count, Instant last, Instant lockedUntil) {
    }

    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code user} must still wait before it may try again; empty when it may try now. */
    Optional<Duration> lockedFor(String user) {
        Failures record = failures.get(user);
        Instant now = clock.instant();
        if (record == null || record.lockedUntil() == null || !now.isBefore(record.lockedUntil())) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, record.lockedUntil()));
    }

    /** A sign-in as {@code user} was refused by the broker. */
    void failed(String user) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_NAMES) {
            failures.values().removeIf(record -> record.last().isBefore(now.minus(FORGET_AFTER)));
            if (failures.size() >= MAX_NAMES) {
                failures.clear();
            }
        }
        failures.compute(user, (name, before) -> {
            int count = before == null || before.last().isBefore(now.minus(FORGET_AFTER)) ? 1 : before.count() + 1;
            return new Failures(count, now, count < FREE_FAILURES ? null : now.plus(lock(count)));
        });
    }

    /** A sign-in as {@code user} succeeded. */
    void succeeded(String user) {
        failures.remove(user);
    }

    /** The lock after the {@code count}-th failure in a row ({@code count >= FREE_FAILURES}). */
    static Duration lock(int count) {
        int doublings = Math.min(count - FREE_FAILURES, 10);
        Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
        return lock.compareTo(LONGEST_LOCK) > 0 ? LONGEST_LOCK : lock;
    }
}
