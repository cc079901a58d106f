package dev.warren.core.wire;

/**
 * A delivery's body is over the worker's limit ({@code --max-message-bytes}): a malformed task,
 * dead-lettered without being read. Its message starts with {@code too_large}.
 */
public final class TaskTooLargeException extends MalformedTaskException {

    private static final long serialVersionUID = 1L;

    /** The word the error message starts with, for DLQ tools and alerts. */
    public static final String REASON = "too_large";

    private final long bodyBytes;

    public TaskTooLargeException(long bodyBytes, long limit) {
        super(REASON + ": body of " + bodyBytes + " bytes is over this worker's limit of " + limit
                + " bytes (--max-message-bytes)");
        this.bodyBytes = bodyBytes;
    }

    /** The body's size in bytes. */
    public long bodyBytes() {
        return bodyBytes;
    }
}
