package dev.warren.core.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQImpl;
import dev.warren.core.connection.BrokerReplies.Reply;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class BrokerRepliesTest {

    private static final String NO_QUEUE = "NOT_FOUND - no queue 'q' in vhost '/'";
    private static final String VHOST_REFUSED = "NOT_ALLOWED - access to vhost 'v' refused for user 'u'";

    @Test
    void readsTheChannelCloseOfASignal() {
        assertThat(BrokerReplies.of(channelClosed(AMQP.NOT_FOUND, NO_QUEUE)))
                .contains(new Reply(AMQP.NOT_FOUND, NO_QUEUE, true));
    }

    @Test
    void readsTheConnectionCloseOfASignal() {
        assertThat(BrokerReplies.of(connectionClosed(AMQP.NOT_ALLOWED, VHOST_REFUSED)))
                .contains(new Reply(AMQP.NOT_ALLOWED, VHOST_REFUSED, false));
    }

    @Test
    void ofLooksAtTheThrowableItselfNotItsCauses() {
        assertThat(BrokerReplies.of(new IOException(channelClosed(AMQP.NOT_FOUND, NO_QUEUE)))).isEmpty();
        assertThat(BrokerReplies.of(null)).isEmpty();
    }

    @Test
    void aSignalWithoutABrokerCloseHasNoReply() {
        ShutdownSignalException lost = new ShutdownSignalException(true, false, null, null);
        assertThat(BrokerReplies.of(lost)).isEmpty();
        assertThat(BrokerReplies.all(new IOException(lost))).isEmpty();
    }

    @Test
    void findsAReplyDeepInTheCauseChain() {
        Exception wrapped = new ExecutionException(new RuntimeException(new IOException(
                connectionClosed(AMQP.ACCESS_REFUSED, "ACCESS_REFUSED - login refused"))));

        assertThat(BrokerReplies.all(wrapped))
                .containsExactly(new Reply(AMQP.ACCESS_REFUSED, "ACCESS_REFUSED - login refused", false));
    }

    @Test
    void listsEveryReplyOutermostFirst() {
        ShutdownSignalException inner = channelClosed(AMQP.PRECONDITION_FAILED, "PRECONDITION_FAILED - inequivalent arg");
        ShutdownSignalException outer = connectionClosed(AMQP.CONNECTION_FORCED, "CONNECTION_FORCED - shutdown");
        outer.initCause(new IOException(inner));

        assertThat(BrokerReplies.all(new IOException(outer)).map(Reply::code))
                .containsExactly(AMQP.CONNECTION_FORCED, AMQP.PRECONDITION_FAILED);
    }

    @Test
    void aChainWithoutASignalHasNoReply() {
        assertThat(BrokerReplies.all(new IOException("connection reset", new RuntimeException("eof")))).isEmpty();
        assertThat(BrokerReplies.all(null)).isEmpty();
    }

    @Test
    void isMatchesAnyOfTheGivenCodes() {
        Reply refused = new Reply(AMQP.ACCESS_REFUSED, "ACCESS_REFUSED", true);

        assertThat(refused.is(AMQP.ACCESS_REFUSED)).isTrue();
        assertThat(refused.is(AMQP.PRECONDITION_FAILED, AMQP.ACCESS_REFUSED)).isTrue();
        assertThat(refused.is(AMQP.NOT_FOUND)).isFalse();
        assertThat(refused.is()).isFalse();
    }

    private static ShutdownSignalException channelClosed(int code, String text) {
        return new ShutdownSignalException(false, false, new AMQImpl.Channel.Close(code, text, 50, 10), null);
    }

    private static ShutdownSignalException connectionClosed(int code, String text) {
        return new ShutdownSignalException(true, false, new AMQImpl.Connection.Close(code, text, 0, 0), null);
    }
}
