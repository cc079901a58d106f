package dev.warren.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach the broker: one {@code amqp://} or {@code amqps://} URI, optionally a list of
 * cluster addresses that replaces the URI's host and port, and connection behaviour.
 *
 * <p>Immutable and validated on construction. {@link #toString()} never contains the password.
 *
 * @param uri             broker URI; user, password and vhost are taken from it unless overridden
 * @param addresses       {@code host:port} entries of a cluster; empty means the URI's host and port
 * @param vhost           virtual host, or {@code null} to use the URI's path (default {@code /})
 * @param username        user, or {@code null} to use the URI's user (default {@code guest})
 * @param password        password, or {@code null} to use the URI's password (default {@code guest})
 * @param tls             use TLS with certificate and host name verification; implied by {@code amqps://}
 * @param tlsCaFile       PEM file with the CA certificate(s) to trust, or {@code null} for the JVM's trust store
 * @param heartbeat       AMQP heartbeat timeout, detects dead peers (default 30s)
 * @param connectionName  client-provided name shown in the management UI, for example {@code warren-worker@host}
 * @param startupTimeout  how long to keep retrying when the broker is unreachable at start (default 60s)
 */
public record AmqpSettings(URI uri, List<String> addresses, String vhost, String username, String password,
                           boolean tls, java.nio.file.Path tlsCaFile, Duration heartbeat, String connectionName,
                           Duration startupTimeout) {

    /** The URI used when nothing is configured. */
    public static final String DEFAULT_URI = "amqp://guest:guest@localhost:5672/";

    public AmqpSettings {
        Objects.requireNonNull(uri, "uri");
        InvalidSettingException.require("amqp".equals(uri.getScheme()) || "amqps".equals(uri.getScheme()),
                "AMQP URI must start with amqp:// or amqps://, was " + redact(uri));
        InvalidSettingException.require(uri.getHost() != null && !uri.getHost().isBlank(),
                "AMQP URI must name a host, was " + redact(uri));
        addresses = List.copyOf(addresses == null ? List.of() : addresses);
        for (String address : addresses) {
            InvalidSettingException.require(address.matches("[^:\\s,]+(:\\d{1,5})?"),
                    "AMQP address must be host or host:port, was '" + address + "'");
        }
        Objects.requireNonNull(heartbeat, "heartbeat");
        InvalidSettingException.require(!heartbeat.isNegative() && heartbeat.toSeconds() <= 65535,
                "heartbeat must be between 0s and 65535s, was " + Durations.format(heartbeat));
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        InvalidSettingException.require(!startupTimeout.isNegative(),
                "startup timeout must be >= 0s, was " + Durations.format(startupTimeout));
        connectionName = connectionName == null || connectionName.isBlank() ? "warren" : connectionName;
        InvalidSettingException.require(tlsCaFile == null || java.nio.file.Files.isReadable(tlsCaFile),
                "TLS CA file must be a readable PEM file, was " + tlsCaFile);
    }

    /** Settings for {@code uri} with defaults for everything else. */
    public static AmqpSettings of(String uri) {
        return builder(uri).build();
    }

    /** A builder for {@code uri}, with the defaults of {@link #of}. */
    public static Builder builder(String uri) {
        return new Builder(parseUri(uri));
    }

    /** Parses a broker URI, failing with a message that does not echo the password. */
    public static URI parseUri(String text) {
        try {
            return new URI(Objects.requireNonNull(text, "AMQP URI").trim());
        } catch (URISyntaxException e) {
            throw new InvalidSettingException("AMQP URI is not a valid URI (" + e.getReason() + "): "
                    + redact(String.valueOf(text)));
        }
    }

    /** Splits a comma-separated address list ({@code WARREN_AMQP_ADDRESSES}). */
    public static List<String> parseAddresses(String text) {
        List<String> result = new ArrayList<>();
        if (text != null) {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    result.add(part.trim());
                }
            }
        }
        return result;
    }

    /** The same settings with another connection name. */
    public AmqpSettings withConnectionName(String name) {
        return toBuilder().connectionName(name).build();
    }

    /** The same settings with another startup timeout. */
    public AmqpSettings withStartupTimeout(Duration timeout) {
        return toBuilder().startupTimeout(timeout).build();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(uri).addresses(addresses).vhost(vhost).username(username).password(password).tls(tls)
                .tlsCaFile(tlsCaFile).heartbeat(heartbeat).connectionName(connectionName).startupTimeout(startupTimeout);
    }

    /** Builds {@link AmqpSettings}; validation happens in {@link #build()}. */
    public static final class Builder {
        private final URI uri;
        private List<String> addresses = List.of();
        private String vhost;
        private String username;
        private String password;
        private boolean tls;
        private java.nio.file.Path tlsCaFile;
        private Duration heartbeat = Duration.ofSeconds(30);
        private String connectionName = "warren";
        private Duration startupTimeout = Duration.ofSeconds(60);

        private Builder(URI uri) {
            this.uri = uri;
        }

        /** Cluster node addresses, {@code host:port}; empty means the URI's host and port. */
        public Builder addresses(List<String> value) {
            this.addresses = value;
            return this;
        }

        /** Virtual host; null means the URI's. */
        public Builder vhost(String value) {
            this.vhost = value;
            return this;
        }

        /** User; null means the URI's. */
        public Builder username(String value) {
            this.username = value;
            return this;
        }

        /** Password; null means the URI's. */
        public Builder password(String value) {
            this.password = value;
            return this;
        }

        /** TLS even with an {@code amqp://} URI. */
        public Builder tls(boolean value) {
            this.tls = value;
            return this;
        }

        /** PEM file of CA certificates to trust instead of the JVM's trust store. */
        public Builder tlsCaFile(java.nio.file.Path value) {
            this.tlsCaFile = value;
            return this;
        }

        /** Heartbeat timeout (default 30s). */
        public Builder heartbeat(Duration value) {
            this.heartbeat = value;
            return this;
        }

        /** Client-provided connection name (default {@code warren}). */
        public Builder connectionName(String value) {
            this.connectionName = value;
            return this;
        }

        /** How long to retry an unreachable broker at start (default 60s). */
        public Builder startupTimeout(Duration value) {
            this.startupTimeout = value;
            return this;
        }

        public AmqpSettings build() {
            return new AmqpSettings(uri, addresses, vhost, username, password, tls, tlsCaFile, heartbeat,
                    connectionName, startupTimeout);
        }
    }

    /** True when TLS is asked for, by flag or by an {@code amqps://} URI. */
    public boolean useTls() {
        return tls || "amqps".equals(uri.getScheme());
    }

    /** The virtual host in effect. */
    public String effectiveVhost() {
        if (vhost != null && !vhost.isBlank()) {
            return vhost;
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty() || "/".equals(path)) {
            return "/";
        }
        return URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    }

    /** The user in effect. */
    public String effectiveUsername() {
        if (username != null && !username.isBlank()) {
            return username;
        }
        String[] userInfo = userInfo();
        return userInfo.length > 0 && !userInfo[0].isEmpty() ? userInfo[0] : "guest";
    }

    /** The password in effect; never log it. */
    public String effectivePassword() {
        if (password != null) {
            return password;
        }
        String[] userInfo = userInfo();
        return userInfo.length > 1 ? userInfo[1] : "guest";
    }

    /** {@code host:port} endpoints to try, in order. */
    public List<String> endpoints() {
        if (!addresses.isEmpty()) {
            return addresses;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : (useTls() ? 5671 : 5672);
        return List.of(uri.getHost() + ":" + port);
    }

    private String[] userInfo() {
        String raw = uri.getRawUserInfo();
        if (raw == null) {
            return new String[0];
        }
        String[] parts = raw.split(":", 2);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
        }
        return parts;
    }

    /** The URI with any password replaced by {@code ****}, safe for logs. */
    public String redactedUri() {
        return redact(uri);
    }

    static String redact(URI uri) {
        return redact(uri.toString());
    }

    /**
     * Masks the password of a URI-like text, also where {@link URI} cannot parse the authority
     * (a host with an underscore, an {@code @} in the password): everything between the first
     * {@code :} after {@code scheme://} and the last {@code @} becomes {@code ****}.
     */
    public static String redact(String text) {
        int start = text.indexOf("://");
        int at = text.lastIndexOf('@');
        if (start < 0 || at < start) {
            return text;
        }
        int colon = text.indexOf(':', start + 3);
        if (colon < 0 || colon > at) {
            return text;
        }
        return text.substring(0, colon + 1) + "****" + text.substring(at);
    }

    @Override
    public String toString() {
        return "AmqpSettings[uri=" + redactedUri() + ", addresses=" + addresses + ", vhost=" + effectiveVhost()
                + ", user=" + effectiveUsername() + ", tls=" + useTls() + (tlsCaFile == null ? "" : ", tlsCaFile=" + tlsCaFile)
                + ", heartbeat=" + Durations.format(heartbeat)
                + ", connectionName=" + connectionName + ", startupTimeout=" + Durations.format(startupTimeout) + "]";
    }
}
