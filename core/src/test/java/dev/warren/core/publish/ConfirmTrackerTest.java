package dev.warren.core.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Returns name a message, not a publish: with two publishes of one {@code message_id} in flight,
 * the return must fail the one it belongs to, in the order the broker sends returns and confirms.
 */
class ConfirmTrackerTest {

    private static final String ID = "same-id";
    private static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder().messageId(ID).build();

    private final ConfirmTracker tracker = new ConfirmTracker();

    private void returned(String routingKey) {
        tracker.handleReturn(312, "NO_ROUTE", "", routingKey, PROPERTIES, new byte[0]);
    }

    private static PublishException.Reason failure(CompletableFuture<Void> future) {
        assertThat(future).isCompletedExceptionally();
        return future.handle((ok, e) -> ((PublishException) (e instanceof CompletionException c ? c.getCause() : e))
                .reason()).join();
    }

    @Test
    void aReturnFailsThePublishToItsRoutingKeyNotTheLatestOfItsId() {
        CompletableFuture<Void> unroutable = tracker.track(1, ID, "deleted-retry-queue");
        CompletableFuture<Void> routable = tracker.track(2, ID, "work");

        returned("deleted-retry-queue");
        tracker.handleAck(1, false);
        tracker.handleAck(2, false);

        assertThat(failure(unroutable)).isEqualTo(PublishException.Reason.UNROUTABLE);
        assertThat(routable).isCompleted().isNotCompletedExceptionally();
        assertThat(tracker.outstanding()).isZero();
    }

    @Test
    void aReturnForTheLaterPublishLeavesTheEarlierOneConfirmed() {
        CompletableFuture<Void> routable = tracker.track(1, ID, "work");
        CompletableFuture<Void> unroutable = tracker.track(2, ID, "deleted-retry-queue");

        // The unroutable one is confirmed at once; the routable one when its queue has it.
        returned("deleted-retry-queue");
        tracker.handleAck(2, false);
        tracker.handleAck(1, false);

        assertThat(failure(unroutable)).isEqualTo(PublishException.Reason.UNROUTABLE);
        assertThat(routable).isCompleted().isNotCompletedExceptionally();
    }

    @Test
    void twoReturnsOfOneIdToOneQueueFailBothPublishesInOrder() {
        CompletableFuture<Void> first = tracker.track(1, ID, "gone");
        CompletableFuture<Void> second = tracker.track(2, ID, "gone");
        CompletableFuture<Void> other = tracker.track(3, ID, "work");

        returned("gone");
        tracker.handleAck(1, false);
        returned("gone");
        tracker.handleAck(3, true);

        assertThat(failure(first)).isEqualTo(PublishException.Reason.UNROUTABLE);
        assertThat(failure(second)).isEqualTo(PublishException.Reason.UNROUTABLE);
        assertThat(other).isCompleted().isNotCompletedExceptionally();
    }
}
