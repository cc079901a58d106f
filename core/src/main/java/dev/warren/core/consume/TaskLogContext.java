package dev.warren.core.consume;

import org.slf4j.MDC;

/**
 * The logging context of a task's run: while a worker handles a delivery, every line logged on its
 * thread, and on the thread of a time-limited attempt, carries the task's message id and type in
 * the SLF4J {@link MDC} under {@link #MESSAGE_ID} and {@link #TASK_TYPE}. Warren's apps print them
 * as {@code [task_type message_id]}; a JSON log encoder gets them as fields.
 */
public final class TaskLogContext {

    /** MDC key of the task's message id (its idempotency key). */
    public static final String MESSAGE_ID = "warren.message_id";
    /** MDC key of the task's type. */
    public static final String TASK_TYPE = "warren.task_type";

    private TaskLogContext() {
    }

    static void set(String messageId, String taskType) {
        MDC.put(MESSAGE_ID, messageId);
        MDC.put(TASK_TYPE, taskType);
    }

    static void clear() {
        MDC.remove(MESSAGE_ID);
        MDC.remove(TASK_TYPE);
    }
}
