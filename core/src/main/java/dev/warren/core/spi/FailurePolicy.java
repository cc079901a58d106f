package dev.warren.core.spi;

/**
 * Decides where a failed task goes and puts it there. The worker acknowledges the original
 * delivery only after {@link #handle} returns, so an implementation must return only once the
 * republished copy is confirmed by the broker; if it throws, the worker does not acknowledge
 * and the broker redelivers (a duplicate, never a loss).
 *
 * <p>Core's default dead-letters every failure to {@code <queue>.dlq}; the retry-dlx module
 * replaces it with a retry ladder. Bind a replacement with
 * {@code OptionalBinder.newOptionalBinder(binder(), FailurePolicy.class).setBinding()}.
 * Called concurrently from consumer threads; may block.
 */
public interface FailurePolicy {

    /** Moves the failed task on and says where it went: {@link TaskOutcome#RETRIED} or {@link TaskOutcome#DEAD_LETTERED}. */
    TaskOutcome handle(TaskFailure failure) throws Exception;

    /**
     * Like {@link #handle}, also saying the retry delay or the dead-letter reason, for
     * {@link TaskEvent}s; the worker calls this one. Default: {@link #handle}'s outcome without
     * them. A policy that overrides it should make {@link #handle} return its outcome.
     */
    default FailureOutcome settle(TaskFailure failure) throws Exception {
        return new FailureOutcome(handle(failure), null, null);
    }

    /**
     * Whether a delivery the broker marks {@code redelivered} is a failed attempt of its own (a
     * crash or lost connection during the previous one): the worker then hands it to
     * {@link #handle} with a {@link dev.warren.core.spi.RedeliveredTaskException} instead of
     * running it, and the policy republishes it with the attempt counted. This bounds crash loops
     * that no handler's {@code catch} can see. Default: false (run redeliveries again).
     */
    default boolean countsRedeliveries() {
        return false;
    }
}
