package dev.warren.core.publish;

/**
 * A task asked for with {@code TaskPublisher.request(type, payload)} ended in the dead-letter
 * queue: the worker reported {@code dead_lettered}. Carries what the worker said.
 */
public final class TaskFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final String taskType;
    private final String error;
    private final int attempts;

    public TaskFailedException(String taskId, String taskType, String error, int attempts) {
        super("task " + taskId + " (" + taskType + ") was dead-lettered after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + error);
        this.taskId = taskId;
        this.taskType = taskType;
        this.error = error;
        this.attempts = attempts;
    }

    /** The task's message id. */
    public String taskId() {
        return taskId;
    }

    /** The task type. */
    public String taskType() {
        return taskType;
    }

    /** Why it failed, as the worker recorded it ({@code x-warren-error-message} of the dead-letter copy). */
    public String error() {
        return error;
    }

    /** The attempt that failed last. */
    public int attempts() {
        return attempts;
    }
}
