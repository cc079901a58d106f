package dev.warren.worker;

import com.google.inject.Module;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.Message;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.task.TaskDefinition;
import dev.warren.core.task.TaskModule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task modules a worker runs, checked before the injector exists: each configures without
 * errors, which module registers which task types (logged, one line per module), no type
 * registered twice, at least one type.
 * Guice would also reject a duplicate type, but without saying which jar brought it.
 */
final class TaskModules {

    private static final Logger log = LoggerFactory.getLogger(TaskModules.class);

    /**
     * One task module and where it came from.
     *
     * @param module the module
     * @param origin the jar or folder whose services file listed it, or how it was given ({@code --demo})
     */
    record Found(TaskModule module, String origin) {
        Found {
            Objects.requireNonNull(module, "module");
            Objects.requireNonNull(origin, "origin");
        }

        String describe() {
            return module.getClass().getName() + " (from " + origin + ")";
        }
    }

    private TaskModules() {
    }

    /**
     * The modules of {@code found}, after logging the types of each.
     *
     * @throws InvalidSettingException when a module's {@code configure()} fails, two modules (or
     *                                 one, twice) register the same type, or no module registers any type
     */
    static List<Module> checked(List<Found> found) {
        Map<String, Found> owners = new LinkedHashMap<>();
        List<Module> modules = new ArrayList<>();
        for (Found module : found) {
            List<Element> elements = Elements.getElements(module.module());
            List<String> errors = elements.stream().filter(Message.class::isInstance).map(Message.class::cast)
                    .map(TaskModules::describe).toList();
            if (!errors.isEmpty()) {
                throw new InvalidSettingException("task module " + module.describe() + " cannot be configured: "
                        + String.join("; ", errors));
            }
            List<String> types = typesOf(elements);
            log.info("task module {} registers {}", module.describe(), types.isEmpty() ? "no task type" : String.join(", ", types));
            for (String type : types) {
                Found owner = owners.putIfAbsent(type, module);
                if (owner != null) {
                    throw new InvalidSettingException("task type '" + type + "' is registered twice: by "
                            + owner.describe() + " and by " + module.describe()
                            + "; a task type must have exactly one handler, so remove one module or rename its type");
                }
            }
            modules.add(module.module());
        }
        if (owners.isEmpty()) {
            throw new InvalidSettingException("no task types to run: give a jar whose " + TaskJars.SERVICES_FILE
                    + " names your TaskModule with --tasks PATH (env WARREN_TASKS) or put it on the class path,"
                    + " or pass --demo (env WARREN_DEMO) for the demo task types");
        }
        return modules;
    }

    /** The types a module registers, read from its elements (its bindings, recorded without an injector). */
    private static List<String> typesOf(List<Element> elements) {
        List<String> types = new ArrayList<>();
        for (Element element : elements) {
            if (element instanceof InstanceBinding<?> binding && binding.getInstance() instanceof TaskDefinition definition) {
                types.add(definition.type());
            }
        }
        return types;
    }

    /** A Guice error in one line: its message, and what an exception thrown by {@code configure()} said. */
    private static String describe(Message message) {
        Throwable cause = message.getCause();
        return cause == null || message.getMessage().contains(String.valueOf(cause.getMessage()))
                ? message.getMessage() : message.getMessage() + ": " + cause;
    }
}
