package dev.warren.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.AmqpSettings;
import dev.warren.retry.ReplayPace;
import dev.warren.test.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

class BulkReplayTest {

    private static final ConsoleSettings SETTINGS = ConsoleSettings.of(AmqpSettings.of(AmqpSettings.DEFAULT_URI),
            URI.create("http://localhost:15672"));

    private final TestClock clock = TestClock.now();

    @Test
    void replayThatCannotStartIsFailedNotLeftRunning() {
        UserBroker ended = new UserBroker(SETTINGS, HttpClient.newHttpClient(), "ops", "secret");
        ended.close();
        BulkReplay replay = new BulkReplay("task_queue", new DeadLetterFilter(null, null, null, null, null),
                new ReplayPace(50, 10), clock);

        assertThatThrownBy(() -> replay.start(ended)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has ended");

        assertThat(replay.isRunning()).isFalse();
        assertThat(replay.progress().state()).isEqualTo(BulkReplay.State.FAILED);
        assertThat(replay.progress().error()).contains("has ended");
        assertThat(replay.progress().endedAt()).isNotNull();
    }
}
