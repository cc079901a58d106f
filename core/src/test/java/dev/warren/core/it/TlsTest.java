package dev.warren.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.warren.core.CoreModule;
import dev.warren.core.config.AmqpSettings;
import dev.warren.core.connection.AmqpConnections;
import dev.warren.core.connection.BrokerUnavailableException;
import dev.warren.core.publish.RouteTable;
import dev.warren.core.publish.TaskPublisher;
import dev.warren.core.testing.LogCapture;
import dev.warren.core.testing.PrivateRabbitNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code amqps://} against a private node with a certificate from a CA the test creates: Warren
 * verifies the certificate and the host name, and a wrong CA or host fails at once with a clear
 * message instead of retrying.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private Path certificates;
    private PrivateRabbitNode node;
    private int tlsPort;

    @BeforeAll
    void startTlsNode() throws Exception {
        certificates = Files.createTempDirectory("warren-tls-");
        // The node runs as the rabbitmq user: it must read the files (test-only keys).
        Files.setPosixFilePermissions(certificates, PosixFilePermissions.fromString("rwxr-xr-x"));
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=Warren Test CA");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem",
                "-days", "2", "-subj", "/CN=Some Other CA");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        Files.writeString(certificates.resolve("server.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
        try (var files = Files.list(certificates)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            tlsPort = socket.getLocalPort();
        }
        node = PrivateRabbitNode.builder().management(false)
                .configLine("listeners.ssl.default = " + tlsPort)
                .configLine("ssl_options.cacertfile = " + certificates.resolve("ca.pem"))
                .configLine("ssl_options.certfile = " + certificates.resolve("server.pem"))
                .configLine("ssl_options.keyfile = " + certificates.resolve("server.key"))
                .configLine("ssl_options.verify = verify_none")
                .configLine("ssl_options.fail_if_no_peer_cert = false")
                .build();
        node.start();
    }

    @AfterAll
    void stopNode() throws IOException {
        if (node != null) {
            node.close();
        }
        if (certificates != null) {
            try (var files = Files.walk(certificates)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(certificates.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("openssl %s: %s", String.join(" ", args), output).isZero();
    }

    private Injector warren(String uri, Path caFile) {
        AmqpSettings settings = AmqpSettings.builder(uri).tlsCaFile(caFile).connectionName("warren-tls-test")
                .startupTimeout(STARTUP_TIMEOUT).build();
        return Guice.createInjector(new CoreModule(settings, RouteTable.allTo("tls_queue")));
    }

    @Test
    void warrenPublishesOverTlsVerifyingTheCertificateAndTheHostName() throws Exception {
        Injector injector = warren("amqps://guest:guest@localhost:" + tlsPort + "/", certificates.resolve("ca.pem"));
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class)) {
            Connection connection = connections.publishing();
            try (Channel channel = connection.createChannel()) {
                channel.queueDeclare("tls_queue", true, false, false, null);
                injector.getInstance(TaskPublisher.class)
                        .publish("noop", CoreModule.newObjectMapper().createObjectNode()).get(10, TimeUnit.SECONDS);
                assertThat(channel.queueDeclarePassive("tls_queue").getMessageCount()).isEqualTo(1);
            }
            assertThat(node.rabbitmqctl("list_connections", "client_properties", "ssl"))
                    .contains("warren-tls-test-publish").contains("true");
        }
    }

    @Test
    void aCertificateFromAnotherCaFailsAtOnceWithAClearMessage() {
        Injector injector = warren("amqps://guest:guest@localhost:" + tlsPort + "/", certificates.resolve("other-ca.pem"));
        long started = System.nanoTime();
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class);
             LogCapture logs = LogCapture.of("dev.warren")) {
            assertThatThrownBy(connections::publishing)
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("other-ca.pem");
            // Not retried until the 30 s startup timeout: a wrong certificate does not fix itself.
            assertThat(logs.lines()).as("retries logged").noneMatch(line -> line.contains("retrying"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(STARTUP_TIMEOUT);
    }

    @Test
    void aHostNameTheCertificateWasNotIssuedForFails() {
        // The certificate names DNS:localhost only, so 127.0.0.1 must not be accepted.
        Injector injector = warren("amqps://guest:guest@127.0.0.1:" + tlsPort + "/", certificates.resolve("ca.pem"));
        try (AmqpConnections connections = injector.getInstance(AmqpConnections.class)) {
            assertThatThrownBy(connections::publishing)
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("TLS handshake failed");
        }
    }
}
