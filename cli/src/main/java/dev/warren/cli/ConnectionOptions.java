package dev.warren.cli;

import dev.warren.core.config.AmqpSettings;
import dev.warren.core.config.InvalidSettingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Broker connection flags shared by every Warren command, each with an environment-variable
 * default. The URI default is resolved in code, not in the option, so {@code --help} never
 * prints a password taken from the environment.
 */
public final class ConnectionOptions {

    @Option(names = "--uri", paramLabel = "URI",
            description = "Broker URI, amqp:// or amqps:// (env WARREN_AMQP_URI; default "
                    + AmqpSettings.DEFAULT_URI + "). Prefer WARREN_AMQP_PASSWORD(_FILE) to a password in the URI.")
    String uri;

    @Option(names = "--addresses", paramLabel = "HOST:PORT,...", defaultValue = "${env:WARREN_AMQP_ADDRESSES}",
            description = "Cluster node addresses, tried in turn; replace the URI's host and port (env WARREN_AMQP_ADDRESSES).")
    String addresses;

    @Option(names = "--vhost", paramLabel = "VHOST", defaultValue = "${env:WARREN_AMQP_VHOST}",
            description = "Virtual host; overrides the URI's (env WARREN_AMQP_VHOST).")
    String vhost;

    @Option(names = "--username", paramLabel = "USER", defaultValue = "${env:WARREN_AMQP_USERNAME}",
            description = "User; overrides the URI's (env WARREN_AMQP_USERNAME).")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE", defaultValue = "${env:WARREN_AMQP_PASSWORD_FILE}",
            description = "File holding the password (env WARREN_AMQP_PASSWORD_FILE; or set WARREN_AMQP_PASSWORD).")
    Path passwordFile;

    @Option(names = "--tls", negatable = true, defaultValue = "${env:WARREN_AMQP_TLS:-false}", fallbackValue = "true",
            description = "Use TLS, verifying the broker's certificate and host name with the JVM trust store"
                    + " (env WARREN_AMQP_TLS; implied by amqps://; default ${DEFAULT-VALUE}).")
    boolean tls;

    @Option(names = "--tls-ca-file", paramLabel = "PEM", defaultValue = "${env:WARREN_AMQP_TLS_CA_FILE}",
            description = "PEM file of the CA certificate(s) that signed the broker's certificate; default: the JVM's"
                    + " trust store (env WARREN_AMQP_TLS_CA_FILE).")
    Path tlsCaFile;

    @Option(names = "--heartbeat", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_AMQP_HEARTBEAT:-30s}",
            description = "AMQP heartbeat timeout, detects dead connections (env WARREN_AMQP_HEARTBEAT; default ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--startup-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:WARREN_STARTUP_TIMEOUT:-60s}",
            description = "How long to keep retrying when the broker is unreachable at start (env WARREN_STARTUP_TIMEOUT;"
                    + " default ${DEFAULT-VALUE}).")
    Duration startupTimeout;

    /** The settings these flags and the environment describe, for a connection named {@code connectionName}. */
    public AmqpSettings toSettings(String connectionName) {
        return toSettings(connectionName, System.getenv());
    }

    AmqpSettings toSettings(String connectionName, Map<String, String> env) {
        String effectiveUri = uri != null ? uri : variable(env, "WARREN_AMQP_URI", AmqpSettings.DEFAULT_URI);
        return AmqpSettings.builder(effectiveUri).addresses(AmqpSettings.parseAddresses(addresses)).vhost(vhost)
                .username(username).password(password(env)).tls(tls).tlsCaFile(tlsCaFile).heartbeat(heartbeat)
                .connectionName(connectionName).startupTimeout(startupTimeout).build();
    }

    private String password(Map<String, String> env) {
        if (passwordFile != null) {
            try {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new InvalidSettingException("password file " + passwordFile + " cannot be read: " + e.getMessage());
            }
        }
        return variable(env, "WARREN_AMQP_PASSWORD", null);
    }

    /** {@code env}'s variable {@code name}; empty counts as unset, as for every other WARREN_* variable. */
    private static String variable(Map<String, String> env, String name, String unset) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? unset : value;
    }
}
