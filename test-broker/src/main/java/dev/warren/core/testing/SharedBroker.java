package dev.warren.core.testing;

import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locates the broker behind {@link RabbitBroker#shared()} once per JVM, in the order README.md
 * gives ("Testing"), and remembers the broker or the failure.
 */
final class SharedBroker {

    static final String URI_VARIABLE = "WARREN_TEST_AMQP_URI";

    private static final Logger log = LoggerFactory.getLogger(SharedBroker.class);
    private static final String LOCAL_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";
    private static final String LOCAL_MANAGEMENT = "http://127.0.0.1:15672";

    // Test code: one broker per JVM is the point, so a lazily set static is fine here.
    // Guarded by SharedBroker.class.
    private static RabbitBroker broker;
    private static RuntimeException failure;

    private SharedBroker() {
    }

    static synchronized RabbitBroker get() {
        if (broker == null && failure == null) {
            try {
                broker = locate();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new IllegalStateException(failure.getMessage(), failure);
        }
        return broker;
    }

    private static RabbitBroker locate() {
        List<String> tried = new ArrayList<>();

        String configured = System.getenv(URI_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            RabbitBroker fromEnvironment = RabbitBroker.of(configured, null);
            String reason = probe(fromEnvironment);
            if (reason != null) {
                throw new IllegalStateException(URI_VARIABLE + " is set to " + fromEnvironment
                        + " but no broker accepts connections there: " + reason);
            }
            RabbitBroker chosen = RabbitBroker.of(configured, managementNextTo(fromEnvironment).orElse(null));
            log.info("Tests use the broker from {}: {} (management: {})", URI_VARIABLE, chosen, describe(chosen));
            return chosen;
        }
        tried.add(URI_VARIABLE + ": not set");

        RabbitBroker local = RabbitBroker.of(LOCAL_URI, null);
        String localReason = probe(local);
        if (localReason == null) {
            var management = ManagementApi.withGuestLogin(LOCAL_MANAGEMENT);
            RabbitBroker chosen = RabbitBroker.of(LOCAL_URI, management.isReachable() ? management : null);
            if (chosen.management().isEmpty()) {
                log.warn("The broker on localhost:5672 has no management API at {}; "
                        + "enable it with: rabbitmq-plugins enable rabbitmq_management", LOCAL_MANAGEMENT);
            }
            log.info("Tests use the broker on localhost:5672: {} (management: {})", chosen, describe(chosen));
            return chosen;
        }
        tried.add("localhost:5672: " + localReason);

        if (ContainerBroker.onClasspath()) {
            Optional<RabbitBroker> container = ContainerBroker.start(tried);
            if (container.isPresent()) {
                log.info("Tests use a Testcontainers broker: {} (management: {})",
                        container.get(), describe(container.get()));
                return container.get();
            }
        } else {
            tried.add("Testcontainers: org.testcontainers:rabbitmq is not on the test classpath");
        }

        if (PrivateRabbitNode.isInstalled()) {
            try {
                var node = PrivateRabbitNode.builder().build();
                // The node's own shutdown hook stops it when the JVM exits.
                node.start();
                log.info("Tests use a private node from the rabbitmq-server package: {} (node {}, directory {})",
                        node.broker(), node.nodeName(), node.directory());
                return node.broker();
            } catch (RuntimeException e) {
                log.warn("Cannot start a private RabbitMQ node", e);
                tried.add("private rabbitmq-server node: " + e.getMessage());
            }
        } else {
            tried.add("private rabbitmq-server node: the rabbitmq-server package is not installed");
        }

        throw new IllegalStateException("No RabbitMQ broker for tests. Tried, in order:\n  - "
                + String.join("\n  - ", tried)
                + "\nTo get one: install the rabbitmq-server package (apt-get install rabbitmq-server) and run"
                + " the tests as root; or start a broker and set " + URI_VARIABLE
                + "=amqp://user:password@host:5672/%2F; or start Docker so that Testcontainers can run"
                + " rabbitmq:3.13-management.");
    }

    /** Null if the broker accepts a connection, else why not. */
    private static String probe(RabbitBroker candidate) {
        var factory = candidate.connectionFactory();
        factory.setConnectionTimeout(2_000);
        factory.setHandshakeTimeout(2_000);
        try (Connection connection = factory.newConnection("warren-test-probe")) {
            return null;
        } catch (IOException | TimeoutException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    /** The management API on port 15672 of the broker's host with its AMQP credentials, if it answers. */
    private static Optional<ManagementApi> managementNextTo(RabbitBroker broker) {
        URI uri = URI.create(broker.amqpUri());
        String user = "guest";
        String password = "guest";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : "";
        }
        var api = new ManagementApi("http://" + uri.getHost() + ":15672", user, password);
        return api.isReachable() ? Optional.of(api) : Optional.empty();
    }

    /** Percent-decodes URI user info; unlike a form, a "+" in it is a plus. */
    private static String decode(String userInfoPart) {
        return URLDecoder.decode(userInfoPart.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String describe(RabbitBroker broker) {
        return broker.management().map(api -> api.baseUri().toString()).orElse("none");
    }
}
