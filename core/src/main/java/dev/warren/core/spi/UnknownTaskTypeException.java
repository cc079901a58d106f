package dev.warren.core.spi;

/** No handler is registered for a delivery's task type. A permanent failure. */
public final class UnknownTaskTypeException extends Exception {

    private static final long serialVersionUID = 1L;

    public UnknownTaskTypeException(String message) {
        super(message);
    }
}
