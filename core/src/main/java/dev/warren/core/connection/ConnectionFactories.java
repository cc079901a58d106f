package dev.warren.core.connection;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import dev.warren.core.config.AmqpSettings;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import javax.net.ssl.SSLContext;

/** Builds amqp-client connection factories from {@link AmqpSettings}. */
final class ConnectionFactories {

    /** Recovery backs off 0.5 s, 1 s, 2 s, 4 s, then every 5 s. */
    private static final RecoveryDelayHandler RECOVERY_DELAYS =
            new RecoveryDelayHandler.ExponentialBackoffDelayHandler(List.of(500L, 1000L, 2000L, 4000L, 5000L));

    private ConnectionFactories() {
    }

    static ConnectionFactory create(AmqpSettings settings) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setVirtualHost(settings.effectiveVhost());
        factory.setUsername(settings.effectiveUsername());
        factory.setPassword(settings.effectivePassword());
        factory.setRequestedHeartbeat((int) settings.heartbeat().toSeconds());
        factory.setConnectionTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setRecoveryDelayHandler(RECOVERY_DELAYS);
        if (settings.useTls()) {
            try {
                // The JVM's default trust store verifies the certificate; host name verification is on too.
                // amqp-client's own useSslProtocol() without arguments trusts every certificate: never use it.
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no TLS support in this JVM", e);
            }
        }
        return factory;
    }

    static List<Address> addresses(AmqpSettings settings) {
        return settings.endpoints().stream().map(Address::parseAddress).toList();
    }
}
