package dev.warren.core.schedule;

import java.util.List;

/**
 * What the active scheduler of a group last reported, kept as the only message of the group's
 * status queue ({@code warren.scheduler.<group>.status}) and printed by
 * {@code producer-app schedules}. JSON, snake_case; instants are ISO-8601 strings, null when unknown.
 *
 * @param group         the scheduler group
 * @param activeReplica name of the replica that is (or last was) active
 * @param activeSince   since when it is active
 * @param updatedAt     when it wrote this status
 * @param schedules     one entry per schedule, by name
 */
public record SchedulerStatus(String group, String activeReplica, String activeSince, String updatedAt,
                              List<Entry> schedules) {

    public SchedulerStatus {
        schedules = schedules == null ? List.of() : List.copyOf(schedules);
    }

    /**
     * One schedule.
     *
     * @param name        schedule name
     * @param type        task type it publishes
     * @param queue       queue its firings go to
     * @param spec        {@code cron "0 3 * * *" Europe/Berlin} or {@code every 1s}
     * @param misfire     {@code fire-once}, {@code skip} or {@code fire-all(N)}
     * @param lastDue     the last due instant accounted for (fired or skipped)
     * @param lastFiredAt when a firing of it was last published
     * @param nextDue     its next due instant
     */
    public record Entry(String name, String type, String queue, String spec, String misfire, String lastDue,
                        String lastFiredAt, String nextDue) {
    }
}
