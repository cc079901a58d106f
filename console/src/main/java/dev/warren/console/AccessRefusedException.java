package dev.warren.console;

/**
 * The broker refused the signed-in user something (HTTP 401/403 from the management API, or
 * AMQP {@code ACCESS_REFUSED}); the console answers HTTP 403 with this message.
 */
public final class AccessRefusedException extends RuntimeException {

    public AccessRefusedException(String message) {
        super(message);
    }

    public AccessRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
