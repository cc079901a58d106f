package dev.warren.core.connection;

/** The broker could not be reached within the startup timeout, or refused the credentials. */
public final class BrokerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
