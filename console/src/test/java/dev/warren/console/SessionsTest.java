package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.AmqpSettings;
import dev.warren.retry.ReplayPace;
import dev.warren.test.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private static final ConsoleSettings SETTINGS = ConsoleSettings.of(AmqpSettings.of(AmqpSettings.DEFAULT_URI),
            URI.create("http://localhost:15672"));

    private final TestClock clock = TestClock.now();
    private final Sessions sessions = new Sessions(clock, Duration.ofMinutes(30));

    @Test
    void sessionUnusedForTheIdleTimeoutEnds() {
        Session session = start("ops");

        clock.advance(Duration.ofMinutes(30).plusSeconds(1));

        assertThat(sessions.find(session.token())).isEmpty();
    }

    @Test
    void everyUseRestartsTheIdleTimeout() {
        Session session = start("ops");

        clock.advance(Duration.ofMinutes(20));
        assertThat(sessions.find(session.token())).contains(session);
        clock.advance(Duration.ofMinutes(20));

        assertThat(sessions.find(session.token())).contains(session);
    }

    @Test
    void tokensAreRandomAndTheCsrfTokenIsNotTheCookieToken() {
        Session first = start("ops");
        Session second = start("ops");

        assertThat(first.token()).isNotEqualTo(second.token()).hasSizeGreaterThanOrEqualTo(43);
        assertThat(first.csrfToken()).isNotEqualTo(first.token()).isNotEqualTo(second.csrfToken());
    }

    @Test
    void endedSessionIsGoneAndUnknownTokensFindNothing() {
        Session session = start("ops");

        sessions.end(session);

        assertThat(sessions.find(session.token())).isEmpty();
        assertThat(sessions.find("made-up")).isEmpty();
        assertThat(sessions.find(null)).isEmpty();
    }

    @Test
    void sessionWhoseBulkReplayRunsDoesNotExpire() {
        Session session = start("ops");
        session.bulkReplay().set(bulkReplay());

        clock.advance(Duration.ofMinutes(40));

        assertThat(sessions.find(session.token())).contains(session);
        assertThat(session.bulkReplay().get().isRunning()).isTrue();
    }

    @Test
    void idleTimeOfASessionWithABulkReplayCountsFromTheReplaysEnd() {
        Session session = start("ops");
        BulkReplay replay = bulkReplay();
        session.bulkReplay().set(replay);
        clock.advance(Duration.ofMinutes(40));
        endWithFailure(replay);

        clock.advance(Duration.ofMinutes(20));
        assertThat(sessions.find(session.token())).contains(session);
        clock.advance(Duration.ofMinutes(30).plusSeconds(1));

        assertThat(sessions.find(session.token())).isEmpty();
    }

    @Test
    void expiredSessionIsClosedOffTheRequestThatFoundIt() {
        List<Runnable> closing = new ArrayList<>();
        Sessions sessions = new Sessions(clock, Duration.ofMinutes(30), closing::add);
        Session session = sessions.start(new UserBroker(SETTINGS, HttpClient.newHttpClient(), "ops", "secret"));
        clock.advance(Duration.ofMinutes(30).plusSeconds(1));

        assertThat(sessions.find(null)).isEmpty();
        assertThat(session.broker().isClosed()).isFalse();
        assertThat(closing).hasSize(1);
        closing.get(0).run();

        assertThat(session.broker().isClosed()).isTrue();
        assertThat(sessions.find(session.token())).isEmpty();
    }

    private BulkReplay bulkReplay() {
        return new BulkReplay("task_queue", new DeadLetterFilter(null, null, null, null, null), new ReplayPace(50, 10),
                clock);
    }

    /** Ends {@code replay} now, as FAILED: it cannot start with a broker whose session has ended. */
    private static void endWithFailure(BulkReplay replay) {
        UserBroker ended = new UserBroker(SETTINGS, HttpClient.newHttpClient(), "ops", "secret");
        ended.close();
        assertThatThrownBy(() -> replay.start(ended)).isInstanceOf(IllegalStateException.class);
    }

    private Session start(String user) {
        return sessions.start(new UserBroker(SETTINGS, HttpClient.newHttpClient(), user, "secret"));
    }
}
