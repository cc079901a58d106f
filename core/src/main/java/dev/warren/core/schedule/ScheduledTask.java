package dev.warren.core.schedule;

import dev.warren.core.task.TaskType;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A recurring task: a task of {@code type} with {@code payload}, published by the active scheduler
 * at each due instant of {@code when}. Registered in a task module with
 * {@code schedule(name, type, when, payload)}; schedules from all modules end up in one map keyed
 * by name, and a name registered twice fails when the injector is created.
 *
 * <p>Each firing's message id is {@link #messageId(Instant) <name>@<due instant>} (ISO-8601,
 * UTC), the same whichever replica publishes it: a handler deduplicates on it.
 *
 * @param name    unique name: letters, digits, {@code _ . : -}
 * @param type    the task type published
 * @param when    when it is due
 * @param payload the payload of every firing, a {@code P} of {@code type}
 * @param misfire what to do with runs missed while no scheduler was active
 * @param queue   the queue the firings go to; null for the app's route of {@code type}
 */
public record ScheduledTask(String name, TaskType<?, ?> type, Schedule when, Object payload, MisfirePolicy misfire,
                            String queue) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]+");

    public ScheduledTask {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("schedule name must be letters, digits and _ . : - (it is part of"
                    + " each firing's message id), was '" + name + "'");
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(when, "when");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(misfire, "misfire");
        if (!type.payloadClass().isInstance(payload)) {
            throw new IllegalArgumentException("schedule '" + name + "': payload must be a "
                    + type.payloadClass().getName() + " for task type " + type.name() + ", was "
                    + payload.getClass().getName());
        }
        if (queue != null && queue.isBlank()) {
            throw new IllegalArgumentException("schedule '" + name + "': queue must be a queue name or null, was blank");
        }
    }

    /** A schedule firing {@code type} with {@code payload} at each due of {@code when}, fire-once on misfire. */
    public static <P> ScheduledTask of(String name, TaskType<P, ?> type, Schedule when, P payload) {
        return new ScheduledTask(name, type, when, payload, MisfirePolicy.fireOnce(), null);
    }

    /** This schedule with misfire policy {@code policy}. */
    public ScheduledTask withMisfire(MisfirePolicy policy) {
        return new ScheduledTask(name, type, when, payload, policy, queue);
    }

    /** This schedule publishing to {@code queueName} instead of the app's route for its type. */
    public ScheduledTask toQueue(String queueName) {
        return new ScheduledTask(name, type, when, payload, misfire, queueName);
    }

    /** The message id of the firing due at {@code due}: {@code nightly_report@2026-03-01T02:00:00Z}. */
    public String messageId(Instant due) {
        return messageId(name, due);
    }

    /** The message id of schedule {@code name}'s firing due at {@code due}; see docs/wire-format.md. */
    public static String messageId(String name, Instant due) {
        return name + "@" + due;
    }
}
