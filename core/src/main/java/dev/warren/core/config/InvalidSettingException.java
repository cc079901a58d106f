package dev.warren.core.config;

/**
 * A setting has a value Warren cannot run with. The message names the setting, the value and
 * what is allowed, for example {@code "concurrency must be >= 1, was 0"}.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidSettingException(String message) {
        super(message);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingException(message);
        }
    }
}
