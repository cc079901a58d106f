package dev.warren.console;

import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.Durations;
import dev.warren.core.config.InvalidSettingException;
import dev.warren.events.EventsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How the console serves and where it finds the broker.
 *
 * @param bind          address to listen on (default {@value #DEFAULT_BIND}); anything but a loopback
 *                      address logs a warning unless {@code behindTls}
 * @param port          TCP port (default {@value #DEFAULT_PORT}; 0 picks a free one)
 * @param broker        the broker's AMQP settings; their user and password are replaced by the
 *                      signed-in user's for everything the console does
 * @param managementUrl base URL of the RabbitMQ management API, e.g. {@code http://localhost:15672}
 * @param behindTls     true when a TLS proxy serves the console: cookies get {@code Secure} and the
 *                      plain-HTTP warning is not logged
 * @param sessionIdle   a session unused this long is signed out (default 30 minutes)
 * @param eventsStream  the task-event stream the task types and task lookup pages read (default
 *                      {@value EventsSettings#DEFAULT_STREAM}), as the signed-in user
 * @param publicOrigin  the origin browsers reach the console at, such as {@code https://console.example}
 *                      (scheme, host and port only; kept lower case, without the scheme's default port):
 *                      when present, the only {@code Origin} a state-changing request may carry; when
 *                      empty (the default), the origin must match the request's {@code Host} header
 */
public record ConsoleSettings(String bind, int port, AmqpSettings broker, URI managementUrl, boolean behindTls,
                              Duration sessionIdle, String eventsStream, Optional<URI> publicOrigin) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(30);

    public ConsoleSettings {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(managementUrl, "managementUrl");
        Objects.requireNonNull(sessionIdle, "sessionIdle");
        Objects.requireNonNull(eventsStream, "eventsStream");
        publicOrigin = Objects.requireNonNull(publicOrigin, "publicOrigin").map(ConsoleSettings::origin);
        // The workers' own rule for the name, so a stream they can write is one the console can read.
        EventsSettings.defaults().withStream(eventsStream);
        require(!bind.isBlank(), "console bind address must not be empty");
        require(port >= 0 && port <= 65535,
                "console port must be between 0 and 65535, was " + port);
        String scheme = managementUrl.getScheme();
        require("http".equals(scheme) || "https".equals(scheme),
                "management URL must start with http:// or https://, was " + managementUrl);
        require(sessionIdle.compareTo(Duration.ofMinutes(1)) >= 0,
                "console session idle timeout must be >= 1m, was " + Durations.format(sessionIdle));
    }

    /** {@code url} as a browser writes it in {@code Origin}: lower-case scheme and host, no default port. */
    private static URI origin(URI url) {
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        require(("http".equals(scheme) || "https".equals(scheme)) && url.getHost() != null && url.getRawUserInfo() == null
                        && (url.getRawPath() == null || url.getRawPath().isEmpty() || "/".equals(url.getRawPath()))
                        && url.getRawQuery() == null && url.getRawFragment() == null,
                "console public origin (--public-origin) must be http:// or https://, a host and an optional port,"
                        + " with no path, was " + url);
        int port = url.getPort() == ("https".equals(scheme) ? 443 : 80) ? -1 : url.getPort();
        return URI.create(scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingException(message);
        }
    }

    /** Default bind, port, session idle timeout and events stream, not behind TLS, no public origin. */
    public static ConsoleSettings of(AmqpSettings broker, URI managementUrl) {
        return new ConsoleSettings(DEFAULT_BIND, DEFAULT_PORT, broker, managementUrl, false, DEFAULT_SESSION_IDLE,
                EventsSettings.DEFAULT_STREAM, Optional.empty());
    }

    /** These settings serving on port {@code value} (0: any free port). */
    public ConsoleSettings withPort(int value) {
        return new ConsoleSettings(bind, value, broker, managementUrl, behindTls, sessionIdle, eventsStream, publicOrigin);
    }

    /** These settings serving on address {@code value}. */
    public ConsoleSettings withBind(String value) {
        return new ConsoleSettings(value, port, broker, managementUrl, behindTls, sessionIdle, eventsStream, publicOrigin);
    }

    /** These settings, behind a TLS proxy or not. */
    public ConsoleSettings withBehindTls(boolean value) {
        return new ConsoleSettings(bind, port, broker, managementUrl, value, sessionIdle, eventsStream, publicOrigin);
    }

    /** These settings with another session idle timeout. */
    public ConsoleSettings withSessionIdle(Duration value) {
        return new ConsoleSettings(bind, port, broker, managementUrl, behindTls, value, eventsStream, publicOrigin);
    }

    /** These settings reading task events from stream {@code value}. */
    public ConsoleSettings withEventsStream(String value) {
        return new ConsoleSettings(bind, port, broker, managementUrl, behindTls, sessionIdle, value, publicOrigin);
    }

    /** These settings accepting only origin {@code value} ({@code --public-origin}). */
    public ConsoleSettings withPublicOrigin(URI value) {
        return new ConsoleSettings(bind, port, broker, managementUrl, behindTls, sessionIdle, eventsStream,
                Optional.of(value));
    }
}
