package dev.warren.console;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;

/** Words for a failure whose message may be null, as the JDK's HTTP client's {@link ConnectException} is. */
final class FailureMessages {

    private FailureMessages() {
    }

    /** The first message in {@code e} and its causes; else what the first one is, by its class. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }
}
