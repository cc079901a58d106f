/**
 * Recurring tasks and the scheduler that publishes them.
 *
 * <p>A task module declares a {@link dev.warren.core.schedule.ScheduledTask} next to its types with
 * {@code schedule(name, type, when, payload)}: when is a {@link dev.warren.core.schedule.Schedule}
 * ({@code Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin"))} or
 * {@code Schedule.every(Duration.ofMinutes(15))}), and a {@link dev.warren.core.schedule.MisfirePolicy}
 * says what happens to runs missed while no scheduler ran. Any number of
 * {@link dev.warren.core.schedule.Scheduler} replicas may run ({@code worker-app --scheduler}); the
 * broker keeps exactly one active through a single-active-consumer quorum queue, whose one message
 * is the group's state. Each firing has the message id {@code <schedule>@<due instant>}, so a
 * takeover never publishes a run under a second id. docs/scheduling.md has the whole story.
 */
package dev.warren.core.schedule;
