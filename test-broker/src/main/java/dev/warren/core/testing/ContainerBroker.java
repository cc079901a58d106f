package dev.warren.core.testing;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers step of {@link SharedBroker}. Kept in its own class so that modules without
 * Testcontainers on their test classpath never load it: {@link #onClasspath()} is asked first.
 */
final class ContainerBroker {

    private static final Logger log = LoggerFactory.getLogger(ContainerBroker.class);
    private static final String IMAGE = "rabbitmq:3.13-management";

    private ContainerBroker() {
    }

    static boolean onClasspath() {
        try {
            Class.forName("org.testcontainers.containers.RabbitMQContainer", false,
                    ContainerBroker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Starts a {@value #IMAGE} container if Docker is available. Testcontainers' Ryuk container
     * removes it when the JVM exits.
     *
     * @param tried where to note why this step found no broker
     */
    static Optional<RabbitBroker> start(List<String> tried) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            tried.add("Testcontainers: Docker is not available");
            return Optional.empty();
        }
        try {
            @SuppressWarnings("resource") // stopped by Ryuk when the JVM exits
            var container = new RabbitMQContainer(DockerImageName.parse(IMAGE));
            container.start();
            String amqpUri = "amqp://" + container.getAdminUsername() + ":" + container.getAdminPassword()
                    + "@" + container.getHost() + ":" + container.getAmqpPort() + "/%2F";
            var management = new ManagementApi(container.getHttpUrl(),
                    container.getAdminUsername(), container.getAdminPassword());
            return Optional.of(RabbitBroker.of(amqpUri, management));
        } catch (RuntimeException e) {
            log.warn("Cannot start a {} container", IMAGE, e);
            tried.add("Testcontainers: " + IMAGE + " did not start: " + e.getMessage());
            return Optional.empty();
        }
    }
}
