package dev.warren.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * Virtual hosts, users and permissions on a {@link PrivateRabbitNode}, through its management HTTP
 * API (as {@code guest}). The API takes any characters in names, passwords and permission regexps,
 * which {@link PrivateRabbitNode#rabbitmqctl} cannot pass through its shell.
 *
 * <p>Only for private nodes: tests never add users or change permissions on the shared broker.
 * Every call blocks on one HTTP request (10 s timeout) and throws {@link IllegalStateException}
 * naming the request and the response when the API refuses. Thread safe.
 */
public final class BrokerAccess {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private BrokerAccess(URI baseUri) {
        this.baseUri = baseUri;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Access administration of {@code node}, which must have the management plugin.
     *
     * @throws IllegalStateException if the node runs without the management plugin
     */
    public static BrokerAccess of(PrivateRabbitNode node) {
        return new BrokerAccess(node.management()
                .orElseThrow(() -> new IllegalStateException(node + " has no management plugin"))
                .baseUri());
    }

    /** Creates a virtual host (idempotent). */
    public void addVhost(String vhost) {
        put("/api/vhosts/" + encode(vhost), Map.of());
    }

    /** Creates or updates a user with {@code password} and no tags (no management UI access). */
    public void addUser(String user, String password) {
        put("/api/users/" + encode(user), Map.of("password", password, "tags", ""));
    }

    /**
     * Sets a user's permissions in a vhost, as {@code rabbitmqctl set_permissions -p vhost user
     * configure write read} does: each a regular expression over resource names, {@code ""} or
     * {@code "^$"} for none.
     */
    public void setPermissions(String vhost, String user, String configure, String write, String read) {
        put("/api/permissions/" + encode(vhost) + "/" + encode(user),
                Map.of("configure", configure, "write", write, "read", read));
    }

    /** Deletes a user; deleting a missing user is not an error. */
    public void deleteUser(String user) {
        send("DELETE", "/api/users/" + encode(user), HttpRequest.BodyPublishers.noBody(), 404);
    }

    private void put(String path, Map<String, String> body) {
        try {
            send("PUT", path, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)), -1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void send(String method, String path, HttpRequest.BodyPublisher body, int alsoFine) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .method(method, body)
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + request.uri(), e);
        }
        if (response.statusCode() / 100 != 2 && response.statusCode() != alsoFine) {
            throw new IllegalStateException(method + " " + request.uri() + " failed: HTTP " + response.statusCode()
                    + " " + response.body());
        }
    }

    /** Encodes one path segment: {@code /} becomes {@code %2F} and a space {@code %20}, not {@code +}. */
    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
