package dev.warren.console;

import com.rabbitmq.client.AMQP;
import dev.warren.core.connection.BrokerReplies;
import dev.warren.core.connection.BrokerReplies.Reply;
import dev.warren.core.connection.BrokerUnavailableException;

/** Recognises the broker's refusals (AMQP {@code ACCESS_REFUSED}, a refused login) in a cause chain. */
final class Refusals {

    private Refusals() {
    }

    /** True when {@code e} or one of its causes is the broker refusing the user something. */
    static boolean isAccessRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (BrokerReplies.of(t).filter(r -> r.channel() && r.is(AMQP.ACCESS_REFUSED)).isPresent()) {
                return true;
            }
            if (t instanceof AccessRefusedException) {
                return true;
            }
            if (t instanceof BrokerUnavailableException && String.valueOf(t.getMessage()).contains("refused user")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The broker's reply text of the refusal in {@code e}, else its message. */
    static String describe(Throwable e) {
        return BrokerReplies.all(e).filter(Reply::channel).findFirst().map(Reply::text).orElseGet(e::getMessage);
    }
}
