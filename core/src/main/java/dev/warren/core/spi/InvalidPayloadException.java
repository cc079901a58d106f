package dev.warren.core.spi;

/** A task's JSON body does not bind to its payload record (wrong field types, failed validation). Permanent. */
public final class InvalidPayloadException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
