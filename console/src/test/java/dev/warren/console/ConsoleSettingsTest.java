package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.InvalidSettingException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

    private static final ConsoleSettings DEFAULTS = ConsoleSettings.of(AmqpSettings.of(AmqpSettings.DEFAULT_URI),
            URI.create("http://localhost:15672"));

    @Test
    void servesOnLoopbackPort8080ByDefault() {
        assertThat(DEFAULTS.bind()).isEqualTo("127.0.0.1");
        assertThat(DEFAULTS.port()).isEqualTo(8080);
        assertThat(DEFAULTS.behindTls()).isFalse();
        assertThat(DEFAULTS.sessionIdle()).isEqualTo(Duration.ofMinutes(30));
        assertThat(DEFAULTS.eventsStream()).isEqualTo("warren.events");
    }

    @Test
    void eventsStreamNamedAsTheWorkersMayNameItOrRefused() {
        assertThat(DEFAULTS.withEventsStream("orders.events").eventsStream()).isEqualTo("orders.events");
        assertThatThrownBy(() -> DEFAULTS.withEventsStream("amq.events")).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("events stream (--events-stream) must be a non-empty name");
    }

    @Test
    void portOutOfRangeIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> DEFAULTS.withPort(70000)).isInstanceOf(InvalidSettingException.class)
                .hasMessage("console port must be between 0 and 65535, was 70000");
    }

    @Test
    void managementUrlMustBeHttp() {
        assertThatThrownBy(() -> ConsoleSettings.of(DEFAULTS.broker(), URI.create("amqp://localhost")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("management URL must start with http:// or https://, was amqp://localhost");
    }

    @Test
    void sessionIdleBelowAMinuteIsRefused() {
        assertThatThrownBy(() -> DEFAULTS.withSessionIdle(Duration.ofSeconds(5))).isInstanceOf(InvalidSettingException.class)
                .hasMessage("console session idle timeout must be >= 1m, was 5s");
    }

    @Test
    void publicOriginIsKeptAsBrowsersWriteOriginAndAnythingMoreIsRefused() {
        assertThat(DEFAULTS.publicOrigin()).isEmpty();
        assertThat(DEFAULTS.withPublicOrigin(URI.create("HTTPS://Console.Example:443/")).publicOrigin())
                .contains(URI.create("https://console.example"));
        assertThat(DEFAULTS.withPublicOrigin(URI.create("http://console.example:8443")).publicOrigin())
                .contains(URI.create("http://console.example:8443"));
        for (String bad : List.of("ftp://console.example", "https://console.example/console", "https://console.example/?a=b",
                "console.example", "https://ops@console.example", "https:///path")) {
            assertThatThrownBy(() -> DEFAULTS.withPublicOrigin(URI.create(bad))).as(bad)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessage("console public origin (--public-origin) must be http:// or https://, a host and an"
                            + " optional port, with no path, was " + bad);
        }
    }
}
