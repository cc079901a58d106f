package dev.warren.core.task;

/**
 * Thrown by a handler when retrying cannot help (for example the user does not exist). The task
 * goes straight to the dead-letter queue with this message as its reason.
 */
public class PermanentTaskFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PermanentTaskFailure(String message) {
        super(message);
    }

    public PermanentTaskFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
