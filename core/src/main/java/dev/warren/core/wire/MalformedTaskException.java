package dev.warren.core.wire;

/**
 * A delivery is not a task Warren can run: not UTF-8 JSON, not an object, no task type, an
 * invalid attempt header. A permanent failure: retrying cannot fix it, it goes to the DLQ.
 */
public class MalformedTaskException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedTaskException(String message) {
        super(message);
    }

    public MalformedTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
