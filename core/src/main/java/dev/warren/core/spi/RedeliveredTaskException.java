package dev.warren.core.spi;

/**
 * The broker delivered a task again without an acknowledgement of the previous delivery: the
 * worker that ran it crashed, lost its connection, or passed the broker's consumer timeout. When
 * the {@link dev.warren.core.spi.FailurePolicy} counts redeliveries, this is a failed attempt,
 * so a task that kills its worker cannot loop forever. Retryable.
 */
public final class RedeliveredTaskException extends Exception {

    private static final long serialVersionUID = 1L;

    public RedeliveredTaskException(String message) {
        super(message);
    }
}
