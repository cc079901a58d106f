package dev.warren.core.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
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

    @Test
    void quorumLevelsHaveTheirOwnNamesAndDeadLetterAtLeastOnceIntoTheSharedDeliverExchange() {
        assertThat(DelayLevels.QUORUM.level(5)).isEqualTo("warren.delay.q.5");
        assertThat(DelayLevels.QUORUM.entry()).isEqualTo(DelayTopology.QUORUM_ENTRY).isEqualTo("warren.delay.q.27");
        assertThat(DelayLevels.CLASSIC.entry()).isEqualTo(DelayTopology.ENTRY);
        assertThat(DelayLevels.QUORUM.queueArguments(3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "x-queue-type", "quorum", "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish",
                "x-message-ttl", 8000L, "x-dead-letter-exchange", "warren.delay.q.2"));
        assertThat(DelayLevels.QUORUM.queueArguments(0)).containsEntry("x-dead-letter-exchange", DelayTopology.DELIVER);
        // The classic levels keep the arguments brokers already have (another set would fail the declare).
        assertThat(DelayLevels.CLASSIC.queueArguments(3)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "x-queue-type", "classic", "x-message-ttl", 8000L, "x-dead-letter-exchange", "warren.delay.2"));
        assertThatThrownBy(() -> DelayLevels.QUORUM.level(28)).hasMessageContaining("delay level must be 0..27, was 28");
    }

    @Test
    void warrenPublishesADelayStraightToTheLevelOfItsHighestBit() {
        assertThat(DelayLevels.CLASSIC.entryFor(1)).isEqualTo("warren.delay.0");
        assertThat(DelayLevels.CLASSIC.entryFor(59)).isEqualTo("warren.delay.5");
        assertThat(DelayLevels.QUORUM.entryFor(10_800)).isEqualTo("warren.delay.q.13");
        assertThat(DelayLevels.CLASSIC.entryFor(DelayTopology.MAX_DELAY_SECONDS)).isEqualTo(DelayTopology.ENTRY);
        assertThatThrownBy(() -> DelayLevels.CLASSIC.entryFor(0)).hasMessageContaining("delay must be 1..268435455 s");
    }

    @Test
    void theRouteTablePicksTheQuorumLevelsOnlyForTheQueuesItNamesQuorum() {
        RouteTable routes = RouteTable.allTo("images").withQuorumQueues("payments");
        assertThat(DelayLevels.forWorkQueue(routes.isQuorum("payments"))).isEqualTo(DelayLevels.QUORUM);
        assertThat(DelayLevels.forWorkQueue(routes.isQuorum("images"))).isEqualTo(DelayLevels.CLASSIC);
        assertThat(RouteTable.allTo("images").quorumQueues()).isEmpty();
        assertThat(routes.withQuorumQueues("images").quorumQueues()).containsExactlyInAnyOrder("images", "payments");
    }
}
