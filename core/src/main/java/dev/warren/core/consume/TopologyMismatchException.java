package dev.warren.core.consume;

/**
 * A queue exists on the broker with other properties or arguments than Warren declares
 * ({@code PRECONDITION_FAILED}). The message names the queue, what Warren asked for and how to
 * fix it. Apps exit non-zero on it instead of restarting into the same error.
 */
public final class TopologyMismatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TopologyMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
