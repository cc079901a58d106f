package dev.warren.core.connection;

/**
 * The broker could not be reached within the startup timeout, refused the credentials or access,
 * or the connection was lost while a command needed its answer. The apps exit with status 3.
 */
public final class BrokerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
