package dev.warren.core.testing;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A RabbitMQ broker that tests can reach: its AMQP URI and, when the management plugin answers,
 * a {@link ManagementApi} for it.
 *
 * <p>Tests use the default vhost {@code "/"}. A URI whose path is just {@code "/"}
 * ({@code amqp://guest:guest@127.0.0.1:5672/}) is taken to mean that vhost: amqp-client would
 * otherwise read it as the empty vhost {@code ""} and the broker would refuse the connection.
 *
 * <p>Instances are immutable and thread safe.
 */
public final class RabbitBroker {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final URI amqpUri;
    private final ManagementApi management;

    private RabbitBroker(URI amqpUri, ManagementApi management) {
        this.amqpUri = amqpUri;
        this.management = management;
    }

    /**
     * Describes a broker.
     *
     * @param amqpUri {@code amqp://} or {@code amqps://} URI with credentials, e.g.
     *     {@code amqp://guest:guest@127.0.0.1:5672/%2F}
     * @param management its management API, or {@code null} when it has none
     * @throws IllegalArgumentException if the URI is not an AMQP URI with a host
     */
    public static RabbitBroker of(String amqpUri, ManagementApi management) {
        return new RabbitBroker(parse(amqpUri), management);
    }

    /**
     * The broker shared by all tests in this JVM, located once, on first use, in this order:
     * {@code WARREN_TEST_AMQP_URI}; a broker accepting {@code guest/guest} on
     * {@code localhost:5672}; a Testcontainers {@code rabbitmq:3.13-management} container when
     * Docker is available; a private node from the installed {@code rabbitmq-server} package,
     * stopped when the JVM exits.
     *
     * <p>Blocks while locating (a private node takes several seconds to start); later calls
     * return the same broker at once. Use unique queue names ({@link TestQueues}) on it, and
     * never restart or reconfigure it: fault tests take a {@link PrivateRabbitNode}.
     *
     * @throws IllegalStateException if no broker can be found, with a message saying how to get
     *     one; later calls throw the same failure
     */
    public static RabbitBroker shared() {
        return SharedBroker.get();
    }

    /** The AMQP URI, credentials included; see {@link #toString()} for a loggable form. */
    public String amqpUri() {
        return amqpUri.toString();
    }

    /** The broker's host name or address as written in the URI. */
    public String host() {
        return amqpUri.getHost();
    }

    /** The AMQP port: the URI's, else 5672 for {@code amqp} and 5671 for {@code amqps}. */
    public int port() {
        if (amqpUri.getPort() != -1) {
            return amqpUri.getPort();
        }
        return "amqps".equalsIgnoreCase(amqpUri.getScheme()) ? 5671 : 5672;
    }

    /** The management API, empty when the broker has no management plugin reachable. */
    public Optional<ManagementApi> management() {
        return Optional.ofNullable(management);
    }

    /**
     * Opens a plain connection with amqp-client's defaults, automatic recovery off and a 5 s
     * connect timeout. The caller closes it.
     *
     * @param connectionName the client-provided name the broker shows for this connection
     */
    public Connection connect(String connectionName) throws IOException, TimeoutException {
        return connectionFactory().newConnection(connectionName);
    }

    /**
     * A new {@link ConnectionFactory} set up as {@link #connect(String)} uses it, for tests that
     * need to change a setting before connecting.
     */
    public ConnectionFactory connectionFactory() {
        var factory = new ConnectionFactory();
        try {
            factory.setUri(amqpUri);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use AMQP URI " + this, e);
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        factory.setHandshakeTimeout(CONNECT_TIMEOUT_MILLIS);
        return factory;
    }

    /** The AMQP URI with its password masked, e.g. {@code amqp://guest:****@127.0.0.1:5672/%2F}. */
    @Override
    public String toString() {
        return mask(amqpUri);
    }

    static String mask(URI uri) {
        String userInfo = uri.getRawUserInfo();
        if (userInfo == null || !userInfo.contains(":")) {
            return uri.toString();
        }
        String user = userInfo.substring(0, userInfo.indexOf(':'));
        return uri.toString().replace(userInfo + "@", user + ":****@");
    }

    private static URI parse(String amqpUri) {
        Objects.requireNonNull(amqpUri, "amqpUri");
        URI uri;
        try {
            uri = new URI(amqpUri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("AMQP URI is not a URI: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme();
        if (!"amqp".equalsIgnoreCase(scheme) && !"amqps".equalsIgnoreCase(scheme)
                || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "AMQP URI must look like amqp://user:password@host:port/vhost, was " + mask(uri));
        }
        if ("/".equals(uri.getRawPath())) {
            return URI.create(scheme + "://" + uri.getRawAuthority() + "/%2F"
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        }
        return uri;
    }
}
