package dev.warren.console;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One signed-in user: the cookie token that names the session, the CSRF token every
 * state-changing request must carry, and the user's broker access. The password lives only inside
 * {@link UserBroker}, in this process's memory.
 */
final class Session {

    private final String token;
    private final String csrfToken;
    private final UserBroker broker;
    /** The session's latest bulk replay, running or ended; at most one runs at a time. */
    private final AtomicReference<BulkReplay> bulkReplay = new AtomicReference<>();
    // Written by every request of this session, read by the expiry sweep: volatile is enough.
    private volatile Instant lastUsed;

    Session(String token, String csrfToken, UserBroker broker, Instant now) {
        this.token = token;
        this.csrfToken = csrfToken;
        this.broker = broker;
        this.lastUsed = now;
    }

    String token() {
        return token;
    }

    String csrfToken() {
        return csrfToken;
    }

    UserBroker broker() {
        return broker;
    }

    String user() {
        return broker.user();
    }

    AtomicReference<BulkReplay> bulkReplay() {
        return bulkReplay;
    }

    Instant lastUsed() {
        return lastUsed;
    }

    void touch(Instant now) {
        lastUsed = now;
    }
}
