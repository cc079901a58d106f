package dev.warren.core.task;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.util.Providers;
import dev.warren.core.schedule.MisfirePolicy;
import dev.warren.core.schedule.Schedule;
import dev.warren.core.schedule.ScheduledTask;
import java.util.Objects;

/**
 * Base class for a Guice module that registers task types. A team adds a type with a payload
 * record, a {@link TaskType} constant shared with its producers, a handler and one line:
 *
 * <pre>{@code
 * public final class EmailTasks extends TaskModule {
 *     @Override protected void configureTasks() {
 *         bindTask(EmailTypes.WELCOME, WelcomeEmailHandler.class);
 *         bindTask(EmailTypes.BOUNCE, (bounce, context) -> { bounces.record(bounce); return null; },
 *                  TaskOptions.builder().maxAttempts(3).build());
 *     }
 * }
 * }</pre>
 *
 * A type's options ({@link TaskOptions}: time limit, attempts, retry delays, non-retryable
 * exceptions, max age) are given here too, at registration, and nowhere else. Task types from all
 * installed modules end up in one map keyed by name; registering the same name twice fails when
 * the injector is created.
 *
 * <p>Recurring tasks are declared here too, next to their types, and published by the scheduler
 * ({@code worker-app --scheduler}; docs/scheduling.md):
 *
 * <pre>{@code
 * schedule("nightly_report", ReportTypes.REPORT, Schedule.cron("0 3 * * *", ZoneId.of("Europe/Berlin")),
 *          new Report("daily"));
 * }</pre>
 *
 * Schedules from all modules end up in one map keyed by name; the same name twice fails when the
 * injector is created, and so does an invalid cron expression (naming the schedule and the text).
 */
public abstract class TaskModule extends AbstractModule {

    private MapBinder<String, TaskDefinition> definitions;
    private MapBinder<String, ScheduledTask> schedules;

    @Override
    protected final void configure() {
        definitions = taskBinder(binder());
        schedules = scheduleBinder(binder());
        configureTasks();
    }

    /** Register task types here with {@link #bindTask}. */
    protected abstract void configureTasks();

    /**
     * Registers {@code type}, run by {@code handlerClass}, which Guice creates (with its
     * dependencies) for every task unless it is annotated {@code @Singleton}.
     */
    protected final <P, R> void bindTask(TaskType<P, R> type, Class<? extends TaskHandler<P, ? extends R>> handlerClass) {
        bindTask(type, handlerClass, TaskOptions.DEFAULTS);
    }

    /** Registers {@code type}, run by {@code handlerClass}, with {@code options}. */
    protected final <P, R> void bindTask(TaskType<P, R> type, Class<? extends TaskHandler<P, ? extends R>> handlerClass,
                                         TaskOptions options) {
        Objects.requireNonNull(handlerClass, "handlerClass");
        add(new TaskDefinition(type.name(), type.payloadClass(), type.resultType(), getProvider(handlerClass),
                Objects.requireNonNull(options, "options")));
    }

    /**
     * Registers {@code type}, run by {@code handler} (usually a lambda), one instance for all tasks:
     * it must be thread-safe. Guice injects nothing into it.
     */
    protected final <P, R> void bindTask(TaskType<P, R> type, TaskHandler<P, ? extends R> handler) {
        bindTask(type, handler, TaskOptions.DEFAULTS);
    }

    /** Registers {@code type}, run by {@code handler}, with {@code options}. */
    protected final <P, R> void bindTask(TaskType<P, R> type, TaskHandler<P, ? extends R> handler, TaskOptions options) {
        TaskHandler<?, ?> instance = Objects.requireNonNull(handler, "handler");
        add(new TaskDefinition(type.name(), type.payloadClass(), type.resultType(), Providers.of(instance),
                Objects.requireNonNull(options, "options")));
    }

    /**
     * Registers {@code type} by name, bound to {@code payloadClass} and run by {@code handlerClass}:
     * the untyped form, for types without a shared {@link TaskType} constant (a {@code JsonNode}
     * payload, for one). Prefer {@link #bindTask(TaskType, Class)}.
     */
    protected final <P> void bindTask(String type, Class<P> payloadClass,
                                      Class<? extends TaskHandler<P, ?>> handlerClass) {
        bindTask(type, payloadClass, handlerClass, TaskOptions.DEFAULTS);
    }

    /** Registers {@code type} by name with options such as a time limit; see {@link #bindTask(String, Class, Class)}. */
    protected final <P> void bindTask(String type, Class<P> payloadClass,
                                      Class<? extends TaskHandler<P, ?>> handlerClass, TaskOptions options) {
        if (type == null || type.isBlank()) {
            addError("task type must be a non-empty string, was '%s' for %s", type, handlerClass.getName());
            return;
        }
        add(new TaskDefinition(type, payloadClass, Object.class, getProvider(handlerClass),
                Objects.requireNonNull(options, "options")));
    }

    /**
     * Schedules a task of {@code type} with {@code payload} at each due instant of {@code when},
     * named {@code name} (unique across modules; part of each firing's message id). Runs missed
     * while no scheduler was active fire once ({@link MisfirePolicy#fireOnce()}).
     */
    protected final <P> void schedule(String name, TaskType<P, ?> type, Schedule when, P payload) {
        schedule(name, type, when, payload, MisfirePolicy.fireOnce());
    }

    /** Schedules a task as {@link #schedule(String, TaskType, Schedule, Object)} with misfire policy {@code misfire}. */
    protected final <P> void schedule(String name, TaskType<P, ?> type, Schedule when, P payload,
                                      MisfirePolicy misfire) {
        try {
            schedule(ScheduledTask.of(name, type, when, payload).withMisfire(misfire));
        } catch (IllegalArgumentException e) {
            // ScheduledTask's own messages name the schedule when it has a valid name.
            String message = e.getMessage().startsWith("schedule '") ? e.getMessage()
                    : "schedule '" + name + "': " + e.getMessage();
            addError("%s", message);
        }
    }

    /** Schedules {@code task}, for options such as its own queue ({@link ScheduledTask#toQueue}). */
    protected final void schedule(ScheduledTask task) {
        try {
            task.when().check();
        } catch (IllegalArgumentException e) {
            addError("schedule '%s': %s", task.name(), e.getMessage());
            return;
        }
        schedules.addBinding(task.name()).toInstance(task);
    }

    private void add(TaskDefinition definition) {
        definitions.addBinding(definition.type()).toInstance(definition);
    }

    /** The map binder of schedules every task module contributes to; the scheduler reads it. */
    public static MapBinder<String, ScheduledTask> scheduleBinder(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, ScheduledTask.class);
    }

    /** The map binder every task module contributes to; also declared by the worker so an app with no tasks starts. */
    public static MapBinder<String, TaskDefinition> taskBinder(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, TaskDefinition.class);
    }
}
