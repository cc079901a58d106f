package dev.warren.core.consume;

import dev.warren.core.task.PermanentTaskFailure;

/**
 * A task succeeded, but the broker would not take its result for the task's {@code reply_to}
 * ({@link TaskDispatcher#MAX_RESULT_SENDS} runs in a row): the task is dead-lettered, so it is
 * kept for a replay once the requester's queue takes messages again, instead of running forever.
 * Its message, the dead-letter reason, starts with {@value #REASON}. Permanent.
 */
final class ResultUndeliverableException extends PermanentTaskFailure {

    /** How the dead-letter reason starts. */
    static final String REASON = "result undeliverable";

    private static final long serialVersionUID = 1L;

    ResultUndeliverableException(String detail, Throwable cause) {
        super(REASON + ": " + detail, cause);
    }
}
