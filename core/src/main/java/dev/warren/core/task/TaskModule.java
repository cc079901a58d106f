package dev.warren.core.task;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;

/**
 * Base class for a Guice module that registers task types. A team adds a type with a payload
 * record, a handler and one line:
 *
 * <pre>{@code
 * public final class EmailTasks extends TaskModule {
 *     @Override protected void configureTasks() {
 *         bindTask("send_welcome_email", WelcomeEmail.class, WelcomeEmailHandler.class);
 *     }
 * }
 * }</pre>
 *
 * Task types from all installed modules end up in one map keyed by type; registering the same
 * type twice fails when the injector is created.
 */
public abstract class TaskModule extends AbstractModule {

    private MapBinder<String, TaskDefinition> definitions;

    @Override
    protected final void configure() {
        definitions = taskBinder(binder());
        configureTasks();
    }

    /** Register task types here with {@link #bindTask}. */
    protected abstract void configureTasks();

    /** Registers {@code type}, bound to {@code payloadClass} and run by {@code handlerClass}. */
    protected final <P> void bindTask(String type, Class<P> payloadClass,
                                      Class<? extends TaskHandler<P, ?>> handlerClass) {
        bindTask(type, payloadClass, handlerClass, TaskOptions.DEFAULTS);
    }

    /** Registers {@code type} with options such as a time limit. */
    protected final <P> void bindTask(String type, Class<P> payloadClass,
                                      Class<? extends TaskHandler<P, ?>> handlerClass, TaskOptions options) {
        if (type == null || type.isBlank()) {
            addError("task type must be a non-empty string, was '%s' for %s", type, handlerClass.getName());
            return;
        }
        definitions.addBinding(type).toInstance(new TaskDefinition(type, payloadClass, getProvider(handlerClass), options));
    }

    /** The map binder every task module contributes to; also declared by the worker so an app with no tasks starts. */
    public static MapBinder<String, TaskDefinition> taskBinder(com.google.inject.Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, TaskDefinition.class);
    }
}
