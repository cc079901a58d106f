package dev.warren.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warren.core.config.InvalidSettingException;
import dev.warren.core.spi.QueueDeclaration;
import dev.warren.core.task.TaskOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrySettingsTest {

    @Test
    void defaultsAreFiveAttemptsOnTheOneTenSixtyThreeHundredSecondLadderWithoutInProcessRetries() {
        assertThat(RetrySettings.DEFAULTS.maxAttempts()).isEqualTo(5);
        assertThat(RetrySettings.DEFAULTS.ladder().toString()).isEqualTo("1s,10s,1m,5m");
        assertThat(RetrySettings.DEFAULTS.inProcessRetries()).isZero();
    }

    @Test
    void attemptsPastTheLadderReuseItsLastLevel() {
        RetryLadder ladder = RetryLadder.parse("200ms, 400ms");
        assertThat(ladder.delayAfter(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(ladder.delayAfter(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(ladder.delayAfter(7)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void namedFactoriesBuildFixedAndExponentialLadders() {
        assertThat(RetryLadder.fixed(Duration.ofSeconds(3)).delays()).containsExactly(Duration.ofSeconds(3));
        assertThat(RetryLadder.exponential(Duration.ofMillis(500), 2, 4).toString()).isEqualTo("500ms,1s,2s,4s");
    }

    @Test
    void retryQueuesCarryTheDelayInTheirName() {
        assertThat(RetryLadder.queueName("task_queue", Duration.ofSeconds(10))).isEqualTo("task_queue.retry.10s");
        assertThat(RetryLadder.queueName("q", Duration.ofMillis(250))).isEqualTo("q.retry.250ms");
    }

    @Test
    void badSettingsNameTheSettingAndTheValue() {
        assertThatThrownBy(() -> RetrySettings.custom().maxAttempts(0).build())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("retry max attempts must be between 1 and 1000, was 0");
        assertThatThrownBy(() -> RetryLadder.parse(""))
                .hasMessageContaining("retry delays must name at least one delay");
        assertThatThrownBy(() -> RetryLadder.parse("1s,soon"))
                .hasMessageContaining("retry delays: invalid duration 'soon'");
        assertThatThrownBy(() -> RetryLadder.parse("0ms")).hasMessageContaining("between 1ms and 24d, was 0s");
        assertThatThrownBy(() -> WorkQueueType.parse("stream", 5)).hasMessage("queue type must be classic or quorum, was 'stream'");
    }

    @Test
    void decidesRetryWithTheLadderDelayUntilTheLastAttemptThenExhausted() {
        RetrySettings settings = RetrySettings.custom().maxAttempts(3).delays("200ms,400ms").build();
        RuntimeException failure = new IllegalStateException("down");
        assertThat(settings.decide(false, failure, 1)).isEqualTo(
                new RetryDecision(RetryDecision.Verdict.RETRY, Duration.ofMillis(200), 1, 3));
        assertThat(settings.decide(false, failure, 2).delay()).isEqualTo(Duration.ofMillis(400));
        RetryDecision last = settings.decide(false, failure, 3);
        assertThat(last.verdict()).isEqualTo(RetryDecision.Verdict.EXHAUSTED);
        assertThat(last.retries()).isFalse();
        assertThat(last.why()).isEqualTo("attempt 3 of 3 failed");
    }

    @Test
    void decidesPermanentAndNonRetryableFailuresGoStraightToTheDeadLetterQueue() {
        RetrySettings settings = RetrySettings.custom().nonRetryable(IllegalArgumentException.class).build();
        assertThat(settings.decide(true, new IllegalStateException(), 1).verdict())
                .isEqualTo(RetryDecision.Verdict.PERMANENT);
        RetryDecision nonRetryable = settings.decide(false, new NumberFormatException(), 1);
        assertThat(nonRetryable.verdict()).isEqualTo(RetryDecision.Verdict.NON_RETRYABLE);
        assertThat(nonRetryable.why()).isEqualTo("permanent failure");
    }

    @Test
    void nonRetryableExceptionsAreNotRetried() {
        RetrySettings settings = RetrySettings.custom().nonRetryable(IllegalArgumentException.class).build();
        assertThat(settings.isRetryable(new IllegalStateException())).isTrue();
        assertThat(settings.isRetryable(new NumberFormatException())).isFalse();
    }

    @Test
    void theTopologyDeclaresOneRetryQueuePerDelayOfEveryLadderAndAQuorumWorkQueueWhenAsked() {
        RetryPolicies policies = RetryPolicies.of(RetrySettings.custom().delays("1s,10s").build(),
                Map.of("slow", TaskOptions.builder().retryDelays("10s,5m").build()));
        List<QueueDeclaration> classic = RetryTopology.declarations("q", policies, WorkQueueType.classic());
        assertThat(classic).extracting(QueueDeclaration::name)
                .containsExactly("q.dlq", "q.retry.1s", "q.retry.10s", "q.retry.5m");
        assertThat(classic.get(2).arguments()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "x-message-ttl", 10_000L, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "q"));
        List<QueueDeclaration> quorum = RetryTopology.declarations("q", policies, WorkQueueType.quorum(4));
        assertThat(quorum.get(0).name()).isEqualTo("q");
        assertThat(quorum.get(0).arguments()).containsEntry("x-queue-type", "quorum").containsEntry("x-delivery-limit", 4)
                .containsEntry("x-dead-letter-routing-key", "q.dlq")
                .containsEntry("x-dead-letter-strategy", "at-least-once").containsEntry("x-overflow", "reject-publish");
        // Replicated retry queues: a classic one would stop all retries while its one node is down.
        assertThat(quorum.get(2).name()).isEqualTo("q.retry.1s");
        assertThat(quorum.get(2).arguments()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "x-message-ttl", 1_000L, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "q",
                "x-queue-type", "quorum", "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish"));
    }

    @Test
    void aTypesOptionsReplaceTheDefaultsItSetsAndAddNonRetryableExceptions() {
        RetrySettings defaults = RetrySettings.custom().maxAttempts(5).delays("1s,10s")
                .inProcess(2, Duration.ofMillis(50)).nonRetryable(IllegalStateException.class).build();
        RetryPolicies policies = RetryPolicies.of(defaults, Map.of(
                "charge_card", TaskOptions.builder().maxAttempts(3).retryDelays("30s,5m")
                        .nonRetryable(IllegalArgumentException.class).build(),
                "only_delays", TaskOptions.builder().retryDelays("2s").build(),
                "time_limited", TaskOptions.timeLimit(Duration.ofSeconds(5))));

        RetrySettings charge = policies.forType("charge_card");
        assertThat(charge.maxAttempts()).isEqualTo(3);
        assertThat(charge.ladder().toString()).isEqualTo("30s,5m");
        assertThat(charge.nonRetryable()).containsExactly(IllegalStateException.class, IllegalArgumentException.class);
        assertThat(charge.inProcessRetries()).isEqualTo(2);
        RetrySettings onlyDelays = policies.forType("only_delays");
        assertThat(onlyDelays.maxAttempts()).isEqualTo(5);
        assertThat(onlyDelays.ladder().toString()).isEqualTo("2s");
        assertThat(policies.forType("time_limited")).isSameAs(defaults);
        assertThat(policies.forType("not_registered")).isSameAs(defaults);
        assertThat(policies.all()).hasSize(3);
    }
}
