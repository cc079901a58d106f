package dev.warren.core.wire;

/** The AMQP header names Warren reads and writes, listed once (see docs/wire-format.md, "Headers"). */
public final class TaskHeaders {

    /** 1-based attempt number; absent means 1. */
    public static final String ATTEMPT = "x-warren-attempt";
    /** Class name of the exception of the last failed attempt. */
    public static final String ERROR = "x-warren-error";
    /** Message of the last failure, truncated to {@link #MAX_ERROR_MESSAGE_LENGTH} characters. */
    public static final String ERROR_MESSAGE = "x-warren-error-message";
    /**
     * On a dead-letter copy only: the stack trace of the final failure (with its causes), cut to
     * {@link #MAX_STACK_TRACE_BYTES} bytes of UTF-8 so the copy's headers always fit in a frame.
     */
    public static final String STACK_TRACE = "x-warren-stack-trace";
    /** ISO-8601 instant of the last failure. */
    public static final String FAILED_AT = "x-warren-failed-at";
    /** The work queue a retried or dead-lettered message came from. */
    public static final String QUEUE = "x-warren-queue";
    /**
     * On a dead-letter copy only: how many of the message's own headers were left out because,
     * with Warren's headers added, they no longer fitted in one AMQP frame.
     */
    public static final String HEADERS_DROPPED = "x-warren-headers-dropped";
    /**
     * On a dead-letter copy of a task over the worker's size limit only: its body size in bytes
     * (the copy's body is the whole original body).
     */
    public static final String BODY_BYTES = "x-warren-body-bytes";

    /**
     * On a delayed task: the ISO-8601 instant it is due (see docs/scheduling.md). Kept on arrival; it
     * never runs before this instant.
     */
    public static final String DUE_AT = "x-warren-due-at";

    /**
     * On a recurring task's firing: the name of its schedule (its message id is
     * {@code <schedule>@<due instant>}, and {@link #DUE_AT} is that due instant; see docs/scheduling.md).
     */
    public static final String SCHEDULE = "x-warren-schedule";

    /** Body field that carries the task type in the classic recipe. */
    public static final String TASK_TYPE_FIELD = "task_type";
    /** Content type of every task and result. */
    public static final String CONTENT_TYPE = "application/json";
    /** {@code app_id} of messages Warren publishes. */
    public static final String APP_ID = "warren";
    /** Longest error message kept in a header. */
    public static final int MAX_ERROR_MESSAGE_LENGTH = 1000;
    /**
     * Most bytes of {@link #STACK_TRACE}: with the other error headers (at most about 3 KiB) it
     * stays far below the smallest frame a broker negotiates by default (128 KiB), and a copy whose
     * own headers leave no room for it is sent without them ({@link #HEADERS_DROPPED}).
     */
    public static final int MAX_STACK_TRACE_BYTES = 8 * 1024;

    private TaskHeaders() {
    }
}
