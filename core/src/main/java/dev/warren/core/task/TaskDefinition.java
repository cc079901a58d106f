package dev.warren.core.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import jakarta.inject.Provider;
import java.io.IOException;
import java.util.Objects;

/**
 * One registered task type: its payload class, its handler and options. Created by
 * {@link TaskModule#bindTask}; the worker looks definitions up by type.
 */
public final class TaskDefinition {

    private final String type;
    private final Class<?> payloadClass;
    private final Provider<? extends TaskHandler<?, ?>> handler;
    private final TaskOptions options;
    // Written once when the worker starts, before any delivery; a reader per type avoids per-message lookups.
    private volatile ObjectReader reader;

    TaskDefinition(String type, Class<?> payloadClass, Provider<? extends TaskHandler<?, ?>> handler,
                   TaskOptions options) {
        this.type = Objects.requireNonNull(type, "type");
        this.payloadClass = Objects.requireNonNull(payloadClass, "payloadClass");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.options = Objects.requireNonNull(options, "options");
    }

    public String type() {
        return type;
    }

    public Class<?> payloadClass() {
        return payloadClass;
    }

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
