package dev.warren.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.InvalidSettingException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskOptionsTest {

    @Test
    void theBuilderKeepsEverySettingAndNothingSetMeansTheWorkersDefaults() {
        TaskOptions options = TaskOptions.builder().timeLimit(Duration.ofMinutes(2)).maxAttempts(3)
                .retryDelays("30s, 5m").nonRetryable(IllegalArgumentException.class)
                .nonRetryable(UnsupportedOperationException.class).maxAge(Duration.ofHours(1)).build();

        assertThat(options.timeLimit()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.maxAttempts()).isEqualTo(3);
        assertThat(options.retryDelays()).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(5));
        assertThat(options.nonRetryable()).containsExactly(IllegalArgumentException.class, UnsupportedOperationException.class);
        assertThat(options.maxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(TaskOptions.DEFAULTS).isEqualTo(new TaskOptions(null, null, null, null, null));
        assertThat(TaskOptions.DEFAULTS.retryDelays()).isEmpty();
        assertThat(TaskOptions.timeLimit(Duration.ofSeconds(5)))
                .isEqualTo(TaskOptions.builder().timeLimit(Duration.ofSeconds(5)).build());
    }

    @Test
    void badOptionsFailAtBuildNamingTheSettingTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> TaskOptions.builder().timeLimit(Duration.ZERO).build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("task time limit must be > 0 (leave it unset for no limit), was 0s");
        assertThatThrownBy(() -> TaskOptions.builder().maxAttempts(0).build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("task max attempts must be between 1 and 1000, was 0");
        assertThatThrownBy(() -> TaskOptions.builder().maxAttempts(1001).build())
                .hasMessage("task max attempts must be between 1 and 1000, was 1001");
        assertThatThrownBy(() -> TaskOptions.builder().retryDelays(Duration.ofSeconds(1), Duration.ZERO).build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("task retry delays must each be between 1ms and 24d, was 0s");
        assertThatThrownBy(() -> TaskOptions.builder().retryDelays(Duration.ofDays(25)).build())
                .hasMessage("task retry delays must each be between 1ms and 24d, was 600h");
        assertThatThrownBy(() -> TaskOptions.builder().retryDelays("1s,soon"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("task retry delays '1s,soon': invalid duration 'soon'");
        assertThatThrownBy(() -> TaskOptions.builder().maxAge(Duration.ofSeconds(-1)).build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("task max age must be > 0 (leave it unset for no limit), was -1s");
        assertThatThrownBy(() -> TaskOptions.builder().nonRetryable(IllegalStateException.class, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("task non-retryable exceptions must not contain null");
    }

    @Test
    void aTaskExpiresOnlyWhenItIsOlderThanItsMaxAgeAndHasATimestamp() {
        TaskOptions options = TaskOptions.builder().maxAge(Duration.ofMinutes(1)).build();
        Instant now = Instant.parse("2026-12-01T12:00:00Z");

        assertThat(options.expired(now.minusSeconds(61), now)).isTrue();
        assertThat(options.expired(now.minusSeconds(60), now)).isFalse();
        assertThat(options.expired(now.minusSeconds(5), now)).isFalse();
        assertThat(options.expired(null, now)).as("no timestamp: never expires").isFalse();
        assertThat(TaskOptions.DEFAULTS.expired(now.minus(Duration.ofDays(365)), now)).as("no max age").isFalse();
    }
}
