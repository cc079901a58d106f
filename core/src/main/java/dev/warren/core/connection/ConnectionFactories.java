package dev.warren.core.connection;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds amqp-client connection factories from {@link AmqpSettings}. */
final class ConnectionFactories {

    /** Recovery backs off 0.5 s, 1 s, 2 s, 4 s, then every 5 s. */
    private static final RecoveryDelayHandler RECOVERY_DELAYS =
            new RecoveryDelayHandler.ExponentialBackoffDelayHandler(List.of(500L, 1000L, 2000L, 4000L, 5000L));

    private ConnectionFactories() {
    }

    static ConnectionFactory create(AmqpSettings settings) {
        return configure(new ConnectionFactory(), settings);
    }

    /** A factory like {@link #create(AmqpSettings)} whose connections keep bodies over the limit in files. */
    static ConnectionFactory create(AmqpSettings settings, OversizedBodies bodies) {
        return configure(new GuardedConnectionFactory(bodies), settings);
    }

    private static ConnectionFactory configure(ConnectionFactory factory, AmqpSettings settings) {
        factory.setVirtualHost(settings.effectiveVhost());
        factory.setUsername(settings.effectiveUsername());
        factory.setPassword(settings.effectivePassword());
        factory.setRequestedHeartbeat((int) settings.heartbeat().toSeconds());
        factory.setConnectionTimeout(10_000);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setRecoveryDelayHandler(RECOVERY_DELAYS);
        if (settings.useTls()) {
            // The certificate is verified (JVM trust store, or the given CA file), and so is the host
            // name. amqp-client's own useSslProtocol() without arguments trusts every certificate: never use it.
            factory.useSslProtocol(settings.tlsCaFile() == null ? defaultContext() : trusting(settings.tlsCaFile()));
            factory.enableHostnameVerification();
        }
        return factory;
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no TLS support in this JVM", e);
        }
    }

    /** A TLS context that trusts exactly the CA certificates in a PEM file. */
    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + index++, certificate);
            }
            if (index == 0) {
                throw new InvalidSettingException("TLS CA file " + caFile + " holds no PEM certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidSettingException("TLS CA file " + caFile + " cannot be used: " + e.getMessage());
        }
    }

    static List<Address> addresses(AmqpSettings settings) {
        return settings.endpoints().stream().map(Address::parseAddress).toList();
    }
}
