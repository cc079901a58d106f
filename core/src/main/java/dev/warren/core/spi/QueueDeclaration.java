package dev.warren.core.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A durable queue Warren declares at start, with its arguments. Declaring is idempotent as long
 * as the queue on the broker has the same arguments.
 *
 * @param name      queue name
 * @param arguments {@code x-} arguments, empty for a plain durable queue
 */
public record QueueDeclaration(String name, Map<String, Object> arguments) {

    public QueueDeclaration {
        Objects.requireNonNull(name, "name");
        arguments = Map.copyOf(arguments == null ? Map.of() : arguments);
    }

    /** A durable queue without arguments, as {@code queue_declare(durable=True)} in pika declares it. */
    public static QueueDeclaration plain(String name) {
        return new QueueDeclaration(name, Map.of());
    }

    /** How this declaration reads in an error message. */
    public String describe() {
        return "durable=true, arguments=" + (arguments.isEmpty() ? "none" : arguments);
    }
}
