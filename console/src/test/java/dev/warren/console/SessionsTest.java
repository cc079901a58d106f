package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.core.config.AmqpSettings;
import dev.warren.test.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
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

    private Session start(String user) {
        return sessions.start(new UserBroker(SETTINGS, HttpClient.newHttpClient(), user, "secret"));
    }
}
