package dev.warren.core.task;

import dev.warren.core.task.PermanentTaskFailure;

/**
 * A task was delivered after its type's max age ({@code TaskOptions.maxAge}), counted from its
 * {@code timestamp} property: it goes to the dead-letter queue without running, with a reason
 * starting {@code expired:}. A permanent failure: retrying only makes it older.
 */
public final class TaskExpiredException extends PermanentTaskFailure {

    private static final long serialVersionUID = 1L;

    public TaskExpiredException(String message) {
        super(message);
    }
}
