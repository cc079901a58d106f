package dev.warren.core.task;

/** An attempt ran past its task type's time limit and was interrupted. A retryable failure. */
public final class TaskTimeLimitExceeded extends Exception {

    private static final long serialVersionUID = 1L;

    public TaskTimeLimitExceeded(String message) {
        super(message);
    }
}
