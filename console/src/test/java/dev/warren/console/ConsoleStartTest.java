package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.warren.core.config.AmqpSettings;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the console says at start about plain HTTP on a network address. */
class ConsoleStartTest {

    private static final ConsoleSettings SETTINGS = ConsoleSettings.of(AmqpSettings.of(AmqpSettings.DEFAULT_URI),
            URI.create("http://localhost:15672")).withPort(0);

    private final Logger logger = (Logger) LoggerFactory.getLogger(Console.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
    }

    @Test
    void warnsWhenServingPlainHttpOnANonLoopbackAddress() {
        try (Console console = Console.start(SETTINGS.withBind("0.0.0.0"))) {
            assertThat(warnings()).singleElement().asString()
                    .startsWith("serving over plain HTTP on 0.0.0.0:" + console.port() + ": put TLS in front");
        }
    }

    @Test
    void doesNotWarnOnLoopbackOrBehindTls() {
        try (Console loopback = Console.start(SETTINGS); Console proxied = Console.start(SETTINGS.withBind("0.0.0.0")
                .withBehindTls(true))) {
            assertThat(warnings()).isEmpty();
        }
    }

    private List<String> warnings() {
        return events.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
