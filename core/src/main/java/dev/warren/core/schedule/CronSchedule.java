package dev.warren.core.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * A cron schedule. Parsing happens when it is created; an invalid expression is kept as its
 * problem (not thrown) so that registration can report it with the schedule's name.
 *
 * @param expression the text as given
 * @param zone       the time zone it is read in
 * @param execution  the parsed expression, null when invalid
 * @param problem    why it is invalid, null when valid
 */
record CronSchedule(String expression, ZoneId zone, ExecutionTime execution, String problem) implements Schedule {

    // CronParser is thread-safe and costly to build: one for all schedules.
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    static CronSchedule parse(String expression, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (expression == null || expression.isBlank()) {
            return new CronSchedule(expression, zone, null, "cron expression must be 5 fields"
                    + " (minute hour day-of-month month day-of-week), was '" + expression + "'");
        }
        try {
            return new CronSchedule(expression, zone, ExecutionTime.forCron(UNIX.parse(expression.trim()).validate()), null);
        } catch (IllegalArgumentException e) {
            return new CronSchedule(expression, zone, null, "cron expression '" + expression + "' is invalid: "
                    + e.getMessage() + " (5 fields: minute hour day-of-month month day-of-week)");
        }
    }

    @Override
    public Instant nextAfter(Instant after) {
        check();
        return execution.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant).orElse(null);
    }

    @Override
    public String describe() {
        return "cron \"" + expression + "\" " + zone.getId();
    }

    @Override
    public void check() {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
