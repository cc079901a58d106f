package dev.warren.core.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import jakarta.inject.Provider;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * One registered task type: its payload class, result type, handler and options. Created by
 * {@link TaskModule#bindTask}; the worker looks definitions up by type, and other modules (such
 * as retry-dlx) read the options of every type from the injectable
 * {@code Map<String, TaskDefinition>}.
 */
public final class TaskDefinition {

    private final String type;
    private final Class<?> payloadClass;
    private final Type resultType;
    private final Provider<? extends TaskHandler<?, ?>> handler;
    private final TaskOptions options;
    // Written once when the worker starts, before any delivery; a reader per type avoids per-message lookups.
    private volatile ObjectReader reader;

    TaskDefinition(String type, Class<?> payloadClass, Type resultType, Provider<? extends TaskHandler<?, ?>> handler,
                   TaskOptions options) {
        this.type = Objects.requireNonNull(type, "type");
        this.payloadClass = Objects.requireNonNull(payloadClass, "payloadClass");
        this.resultType = Objects.requireNonNull(resultType, "resultType");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The {@code task_type} name. */
    public String type() {
        return type;
    }

    /** The class the JSON body binds to. */
    public Class<?> payloadClass() {
        return payloadClass;
    }

    /** The result type of a type registered with a {@link TaskType}; {@code Object} for one registered by name. */
    public Type resultType() {
        return resultType;
    }

    /** The options given at registration ({@link TaskOptions#DEFAULTS} when none). */
    public TaskOptions options() {
        return options;
    }

    /**
     * Binds the JSON body to the payload class. A {@code JsonNode} (or {@code ObjectNode}) payload
     * class gets the parsed body itself, not a copy: it is parsed for this delivery alone.
     */
    public Object bind(ObjectMapper mapper, JsonNode body) throws IOException {
        if (JsonNode.class.isAssignableFrom(payloadClass) && payloadClass.isInstance(body)) {
            return body;
        }
        ObjectReader r = reader;
        if (r == null) {
            r = mapper.readerFor(payloadClass);
            reader = r;
        }
        return r.readValue(body);
    }

    /** Runs the handler (a fresh instance unless the handler class is a singleton). */
    @SuppressWarnings("unchecked")
    public Object run(Object payload, TaskContext context) throws Exception {
        return ((TaskHandler<Object, Object>) handler.get()).handle(payload, context);
    }

    @Override
    public String toString() {
        return "TaskDefinition[" + type + " -> " + payloadClass.getSimpleName() + "]";
    }
}
