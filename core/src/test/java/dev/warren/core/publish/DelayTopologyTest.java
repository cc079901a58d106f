package dev.warren.core.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DelayTopologyTest {

    @Test
    void theRoutingKeyCarriesTheDelaysBitsHighestFirstThenTheQueue() {
        // 10,800 s (3 h) = 0b10101000110000
        String key = DelayTopology.routingKey(10_800, "images");
        assertThat(key).isEqualTo("0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.1.0.1.0.0.0.1.1.0.0.0.0.images");
        assertThat(DelayTopology.routingKey(1, "a.b")).isEqualTo("0.".repeat(27) + "1.a.b");
        assertThat(DelayTopology.routingKey(DelayTopology.MAX_DELAY_SECONDS, "q")).isEqualTo("1.".repeat(28) + "q");
    }

    @Test
    void delaysAreRoundedUpToWholeSecondsSoNoTaskArrivesEarly() {
        assertThat(DelayTopology.seconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(DelayTopology.seconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(DelayTopology.seconds(Duration.ofSeconds(90))).isEqualTo(90);
        assertThat(DelayTopology.seconds(Duration.ofMinutes(90))).isEqualTo(5400);
    }

    @Test
    void delaysOutsideOneSecondToEightAndAHalfYearsAreRefusedNamingTheLimit() {
        assertThatThrownBy(() -> DelayTopology.seconds(Duration.ZERO)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> DelayTopology.seconds(Duration.ofSeconds(DelayTopology.MAX_DELAY_SECONDS + 1)))
                .hasMessageContaining("at most 268435455 s");
        assertThatThrownBy(() -> DelayTopology.routingKey(5, "q".repeat(200)))
                .hasMessageContaining("queue name too long");
    }

    @Test
    void aQueuesDeliveryPatternMatchesOnlyKeysWithExactlyItsName() {
        // 28 single-word wildcards, so queue "b" never receives a task for queue "a.b".
        assertThat(DelayTopology.deliveryPattern("a.b")).isEqualTo("*.".repeat(28) + "a.b");
        assertThat(DelayTopology.ENTRY).isEqualTo("warren.delay.27");
    }
}
