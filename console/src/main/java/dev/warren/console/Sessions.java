package dev.warren.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's signed-in users, in memory only: a restart signs everyone out. A session unused
 * for the idle timeout ends (its broker connections close) the next time any session is looked
 * up. Thread safe.
 */
final class Sessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);
    private static final int TOKEN_BYTES = 32;

    private final Map<String, Session> byToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idle;

    Sessions(Clock clock, Duration idle) {
        this.clock = clock;
        this.idle = idle;
    }

    /** Starts a session for a user the broker accepted. */
    Session start(UserBroker broker) {
        Session session = new Session(newToken(), newToken(), broker, clock.instant());
        byToken.put(session.token(), session);
        log.info("'{}' signed in", broker.user());
        return session;
    }

    /** The live session with this cookie token, marked as used now; empty when unknown or expired. */
    Optional<Session> find(String token) {
        Instant now = clock.instant();
        byToken.values().removeIf(session -> {
            boolean expired = session.lastUsed().plus(idle).isBefore(now);
            if (expired) {
                stopBulkReplay(session);
                log.info("session of '{}' expired after {} idle", session.user(), idle);
                session.broker().close();
            }
            return expired;
        });
        Session session = token == null ? null : byToken.get(token);
        if (session != null) {
            session.touch(now);
        }
        return Optional.ofNullable(session);
    }

    /** Ends a session: forgets it and closes its broker connections. */
    void end(Session session) {
        if (byToken.remove(session.token()) != null) {
            stopBulkReplay(session);
            session.broker().close();
            log.info("'{}' signed out", session.user());
        }
    }

    @Override
    public void close() {
        byToken.values().forEach(session -> {
            stopBulkReplay(session);
            session.broker().close();
        });
        byToken.clear();
    }

    private static void stopBulkReplay(Session session) {
        BulkReplay replay = session.bulkReplay().get();
        if (replay != null) {
            replay.cancel();
        }
    }

    private String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
