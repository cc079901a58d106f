package dev.warren.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's signed-in users, in memory only: a restart signs everyone out. A session unused
 * for the idle timeout ends the next time any session is looked up; a session whose bulk replay is
 * running does not, and its idle time counts from the later of its last use and the replay's end.
 * An ended session's broker connections are closed on a thread of their own (closing flushes task
 * events for up to seconds), never in the request that found it expired. Thread safe.
 */
final class Sessions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);
    private static final int TOKEN_BYTES = 32;

    private final Map<String, Session> byToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration idle;
    private final Executor closing;

    Sessions(Clock clock, Duration idle) {
        this(clock, idle, task -> Thread.ofVirtual().name("console-session-close").start(task));
    }

    /** {@code closing} runs the closing of expired sessions. */
    Sessions(Clock clock, Duration idle, Executor closing) {
        this.clock = clock;
        this.idle = idle;
        this.closing = closing;
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
            boolean expired = expired(session, now);
            if (expired) {
                log.info("session of '{}' expired after {} idle", session.user(), idle);
                closing.execute(() -> {
                    stopBulkReplay(session);
                    session.broker().close();
                });
            }
            return expired;
        });
        Session session = token == null ? null : byToken.get(token);
        if (session != null) {
            session.touch(now);
        }
        return Optional.ofNullable(session);
    }

    /** Idle for longer than the timeout, counted from its last use or its bulk replay's end; never while that runs. */
    private boolean expired(Session session, Instant now) {
        BulkReplay replay = session.bulkReplay().get();
        if (replay != null && replay.isRunning()) {
            return false;
        }
        Instant idleSince = session.lastUsed();
        Instant replayEnded = replay == null ? null : replay.endedAt();
        if (replayEnded != null && replayEnded.isAfter(idleSince)) {
            idleSince = replayEnded;
        }
        return idleSince.plus(idle).isBefore(now);
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
