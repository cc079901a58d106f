package dev.warren.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * When a recurring task is due: a cron expression in a time zone ({@link #cron}) or a fixed
 * interval aligned to the epoch ({@link #every}). Both are pure functions of time, so every
 * scheduler replica computes the same due instants, and a firing's message id (schedule name and
 * due instant) is the same whichever replica publishes it. Immutable and thread-safe.
 */
public sealed interface Schedule permits CronSchedule, IntervalSchedule {

    /**
     * A 5-field Unix cron expression (minute, hour, day of month, month, day of week; {@code *},
     * lists, ranges, steps and names such as {@code MON}) evaluated in {@code zone}, so
     * {@code "0 3 * * *"} in {@code Europe/Berlin} is 03:00 Berlin time all year: a wall-clock
     * time skipped by a daylight-saving change does not fire that day, one repeated fires once.
     * Parsed by cron-utils. An invalid expression is reported when the schedule is registered
     * ({@code TaskModule.schedule}), naming the schedule and the text; {@link #check()} throws it.
     */
    static Schedule cron(String expression, ZoneId zone) {
        return CronSchedule.parse(expression, zone);
    }

    /**
     * Every {@code interval} (at least one second, whole milliseconds), at the instants that are
     * multiples of it since the epoch: {@code every(Duration.ofMinutes(15))} fires at :00, :15,
     * :30 and :45 of every hour (UTC), whatever time a scheduler started.
     *
     * @throws IllegalArgumentException when {@code interval} is shorter than one second
     */
    static Schedule every(Duration interval) {
        return new IntervalSchedule(interval);
    }

    /** The first due instant strictly after {@code after}, or null if there is none. */
    Instant nextAfter(Instant after);

    /** The schedule as written: {@code cron "0 3 * * *" Europe/Berlin} or {@code every 15m}. */
    String describe();

    /**
     * Throws the problem of a schedule that cannot compute due instants (an invalid cron
     * expression), naming its text and what is allowed; returns for a valid one.
     *
     * @throws IllegalArgumentException naming the expression and the parser's complaint
     */
    default void check() {
        // An interval is validated when it is created; only a cron expression can be invalid here.
    }
}
