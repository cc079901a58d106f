package dev.warren.core.spi;

/**
 * The broker delivered a task again without an acknowledgement of the previous delivery: the
 * worker that ran it crashed, lost its connection, passed the broker's consumer timeout, or put it
 * back because its result could not be sent (that worker itself does not count such a redelivery,
 * another one cannot tell it from a crash). When the {@link dev.warren.core.spi.FailurePolicy}
 * counts redeliveries, this is a failed attempt, so a task that kills its worker cannot loop
 * forever. Retryable.
 */
public final class RedeliveredTaskException extends Exception {

    private static final long serialVersionUID = 1L;

    public RedeliveredTaskException(String message) {
        super(message);
    }
}
