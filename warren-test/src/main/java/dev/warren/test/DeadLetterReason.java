package dev.warren.test;

/** Why a task went to the dead-letter queue, as {@link TaskHarness} found it. */
public enum DeadLetterReason {
    /** The body is not a JSON object with a task type ({@code MalformedTaskException}). */
    MALFORMED,
    /** No handler is registered for its type ({@code UnknownTaskTypeException}). */
    UNKNOWN_TYPE,
    /** The JSON does not bind to the payload record ({@code InvalidPayloadException}). */
    INVALID_PAYLOAD,
    /** It was older than its type's max age when delivered ({@code TaskExpiredException}). */
    EXPIRED,
    /** The handler threw {@code PermanentTaskFailure}. */
    PERMANENT_FAILURE,
    /** The handler threw one of the type's (or the worker's) non-retryable exceptions. */
    NON_RETRYABLE,
    /** A retryable failure (an exception, a time-limit overrun) on the last attempt. */
    ATTEMPTS_EXHAUSTED
}
