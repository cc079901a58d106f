package dev.warren.core.publish;

import com.rabbitmq.client.Channel;
import dev.warren.core.connection.AmqpConnections;
import java.io.IOException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the {@link DelayTopology} and binds work queues to it, once per set of levels and once
 * per queue for one publisher.
 * Thread-safe: callers wait while another thread declares (a few round trips, once per queue).
 */
final class DelayBindings {

    private static final Logger log = LoggerFactory.getLogger(DelayBindings.class);

    private final AmqpConnections connections;
    // Both guarded by "this".
    private final Set<DelayLevels> declared = EnumSet.noneOf(DelayLevels.class);
    private final Set<String> bound = new HashSet<>();

    DelayBindings(AmqpConnections connections) {
        this.connections = connections;
    }

    /**
     * Declares {@code levels} (the first time) and binds {@code queue}, on a channel of its own: a
     * missing queue or a refused permission closes that channel, not the publishing one.
     */
    synchronized void ensureBound(String queue, DelayLevels levels) throws IOException {
        if (declared.contains(levels) && bound.contains(queue)) {
            return;
        }
        Channel channel = connections.publishing().createChannel();
        try {
            if (!declared.contains(levels)) {
                DelayTopology.declare(channel, levels);
                declared.add(levels);
            }
            if (!bound.contains(queue)) {
                DelayTopology.bind(channel, queue);
                bound.add(queue);
            }
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (TimeoutException e) {
                    log.debug("closing the delay declaration channel timed out", e);
                }
            }
        }
    }
}
