package dev.warren.metrics;

import dev.warren.core.spi.TaskListener;
import dev.warren.core.task.TaskDefinition;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;

/**
 * Keeps {@code task_type} label values bounded. In a worker every type that is not registered
 * becomes {@code unknown}: a worker also publishes messages it did not choose (dead-lettered junk
 * keeps its {@code type} property), and a flood of made-up types must not create a series each.
 * An app without registered types (a producer) publishes only the types it chooses itself, so
 * they pass as they are.
 */
final class TaskTypes {

    static final String UNKNOWN = TaskListener.UNKNOWN_TYPE;

    private final Set<String> registered;

    @Inject
    TaskTypes(Map<String, TaskDefinition> tasks) {
        this(tasks.keySet());
    }

    TaskTypes(Set<String> registered) {
        this.registered = Set.copyOf(registered);
    }

    /** The label value for {@code type}. */
    String label(String type) {
        if (type == null) {
            return UNKNOWN;
        }
        return registered.isEmpty() || registered.contains(type) ? type : UNKNOWN;
    }
}
