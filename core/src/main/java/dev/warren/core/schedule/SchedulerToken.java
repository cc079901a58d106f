package dev.warren.core.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state message in the lease queue: per schedule, the last due instant accounted for (fired
 * or skipped by the misfire policy) and when it last fired. Whoever holds one is the active
 * replica. JSON, snake_case: {@code {"written_by":"a","written_at":"...","schedules":{"tick":
 * {"last_due":"...","last_fired_at":"..."}}}}.
 *
 * @param writtenBy replica that published it
 * @param writtenAt when it was published, ISO-8601
 * @param schedules progress per schedule name
 */
record SchedulerToken(String writtenBy, String writtenAt, Map<String, Progress> schedules) {

    SchedulerToken {
        schedules = schedules == null ? Map.of() : Map.copyOf(schedules);
    }

    /** A token with no progress at all: the first one of a group. */
    static SchedulerToken empty(String writtenBy, Instant at) {
        return new SchedulerToken(writtenBy, at.toString(), Map.of());
    }

    byte[] toJson(ObjectMapper mapper) {
        try {
            return mapper.writeValueAsBytes(new SchedulerToken(writtenBy, writtenAt, new TreeMap<>(schedules)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the scheduler state", e);
        }
    }

    /** Reads a token. */
    static SchedulerToken fromJson(ObjectMapper mapper, byte[] body) throws IOException {
        return mapper.readValue(body, SchedulerToken.class);
    }

    /**
     * One schedule's progress.
     *
     * @param lastDue     the last due instant accounted for, ISO-8601
     * @param lastFiredAt when a firing was last published, ISO-8601, null if never
     */
    record Progress(String lastDue, String lastFiredAt) {

        Instant lastDueInstant() {
            return Instant.parse(lastDue);
        }

        /** The later of two progresses of one schedule (by last due). */
        Progress laterOf(Progress other) {
            return other == null || lastDueInstant().isAfter(other.lastDueInstant()) ? this : other;
        }
    }
}
