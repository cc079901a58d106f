package dev.warren.core.task;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.warren.core.config.InvalidSettingException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A task type as producer and worker share it: its {@code task_type} name, the payload record and
 * the result type. Declare it once, as a constant both sides see, and use it to register the
 * handler ({@link TaskModule#bindTask(TaskType, Class)}) and to publish
 * ({@code TaskPublisher.publish(type, payload)}, {@code request(type, payload)}):
 *
 * <pre>{@code
 * public static final TaskType<ResizeImage, ResizeResult> RESIZE =
 *         TaskType.of("resize_image", ResizeImage.class, ResizeResult.class);
 * }</pre>
 *
 * The payload travels as the JSON body of docs/wire-format.md ({@code task_type} first, then the
 * record's fields with snake_case names), so producers in other languages send the same JSON.
 * Immutable and thread-safe; two types are equal when name, payload class and result type are.
 *
 * @param <P> the payload record
 * @param <R> the handler's result ({@link Void} when there is none)
 */
public final class TaskType<P, R> {

    /** The AMQP {@code type} property, which carries the name, is a short string of at most 255 bytes. */
    static final int MAX_NAME_BYTES = 255;

    private final String name;
    private final Class<P> payloadClass;
    private final Type resultType;

    private TaskType(String name, Class<P> payloadClass, Type resultType) {
        this.name = validName(name);
        this.payloadClass = Objects.requireNonNull(payloadClass, "payloadClass");
        this.resultType = Objects.requireNonNull(resultType, "resultType");
    }

    /** A type whose handler returns a {@code resultClass}. */
    public static <P, R> TaskType<P, R> of(String name, Class<P> payloadClass, Class<R> resultClass) {
        return new TaskType<>(name, payloadClass, resultClass);
    }

    /**
     * A type whose handler returns a generic result, such as
     * {@code new TypeReference<List<Thumbnail>>() {}}.
     */
    public static <P, R> TaskType<P, R> of(String name, Class<P> payloadClass, TypeReference<R> resultType) {
        return new TaskType<>(name, payloadClass, Objects.requireNonNull(resultType, "resultType").getType());
    }

    /** A type without a result: its handler returns {@code null}, a request completes with {@code null}. */
    public static <P> TaskType<P, Void> of(String name, Class<P> payloadClass) {
        return new TaskType<>(name, payloadClass, Void.class);
    }

    /** The {@code task_type} name. */
    public String name() {
        return name;
    }

    /** The payload record the JSON body binds to. */
    public Class<P> payloadClass() {
        return payloadClass;
    }

    /** The result type: a class, a parameterized type, or {@link Void} for none. */
    public Type resultType() {
        return resultType;
    }

    /**
     * Checks a task type name: non-blank, no surrounding whitespace or control characters, at most
     * 255 bytes of UTF-8 (it travels in the AMQP {@code type} property).
     *
     * @throws InvalidSettingException naming the value and what is allowed
     */
    static String validName(String name) {
        String allowed = "a non-blank string of at most " + MAX_NAME_BYTES
                + " bytes of UTF-8 without control characters or surrounding whitespace";
        if (name == null || name.isBlank()) {
            throw new InvalidSettingException("task type name must be " + allowed + ", was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        boolean control = name.chars().anyMatch(Character::isISOControl);
        if (control || !name.strip().equals(name) || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            String shown = control ? name.replaceAll("\\p{Cntrl}", "?") : name;
            throw new InvalidSettingException("task type name must be " + allowed + ", was '"
                    + (shown.length() > 60 ? shown.substring(0, 60) + "...' (" + name.length() + " characters)" : shown + "'"));
        }
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TaskType<?, ?> that && name.equals(that.name) && payloadClass.equals(that.payloadClass)
                && resultType.equals(that.resultType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, payloadClass, resultType);
    }

    @Override
    public String toString() {
        return "TaskType[" + name + ": " + payloadClass.getSimpleName() + " -> " + resultType.getTypeName() + "]";
    }
}
