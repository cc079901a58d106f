package dev.warren.core.connection;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.FrameHandlerFactory;
import java.io.IOException;

/**
 * A connection factory whose connections read through {@link OversizedBodies#guard}, so bodies
 * over the worker's limit go to files instead of the heap. amqp-client's own inbound limit is set
 * above the largest message any broker accepts: it cannot close the connection any more.
 * Only for the blocking socket IO layer (amqp-client's default, which Warren uses); the Netty
 * layer does not read through a frame handler's {@code readFrame()}.
 */
final class GuardedConnectionFactory extends ConnectionFactory {

    private final OversizedBodies bodies;

    GuardedConnectionFactory(OversizedBodies bodies) {
        this.bodies = bodies;
        setMaxInboundMessageBodySize(OversizedBodies.LARGEST_BROKER_MESSAGE + 1);
    }

    @Override
    protected synchronized FrameHandlerFactory createFrameHandlerFactory() throws IOException {
        FrameHandlerFactory plain = super.createFrameHandlerFactory();
        return (address, connectionName) -> bodies.guard(plain.create(address, connectionName));
    }
}
