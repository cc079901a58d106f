package dev.warren.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A small client for the RabbitMQ management HTTP API, enough for tests to watch and cut
 * connections and to look at queues in the default vhost {@code "/"}.
 *
 * <p>The API's statistics lag the broker by up to {@code collect_statistics_interval} (5 s by
 * default): a connection just opened is not listed at once, so tests
 * {@linkplain #awaitConnectionNamed await} it before acting on it.
 *
 * <p>Every call blocks on one HTTP request (10 s timeout) and fails with an
 * {@link IllegalStateException} naming the request, the HTTP status and the response body, or an
 * {@link UncheckedIOException} when the API cannot be reached. Thread safe.
 */
public final class ManagementApi {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final String DEFAULT_VHOST = "%2F";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final String authorization;
    private final HttpClient http;

    /**
     * @param baseUri where the management plugin listens, e.g. {@code http://127.0.0.1:15672}
     * @param username a user with the {@code management} tag or better
     * @param password its password
     */
    public ManagementApi(String baseUri, String username, String password) {
        this.baseUri = URI.create(baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri);
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** A client logging in as {@code guest/guest}. */
    public static ManagementApi withGuestLogin(String baseUri) {
        return new ManagementApi(baseUri, "guest", "guest");
    }

    /** Where the API listens, e.g. {@code http://127.0.0.1:15672}. */
    public URI baseUri() {
        return baseUri;
    }

    /** Whether {@code GET /api/overview} answers 200 with these credentials; never throws. */
    public boolean isReachable() {
        try {
            return send(request("/api/overview").GET().build()).statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** All connections the broker reports ({@code GET /api/connections}), as the API's JSON. */
    public List<JsonNode> connections() {
        return elements(getJson("/api/connections"));
    }

    /**
     * Closes one connection ({@code DELETE /api/connections/{name}}) with the reason
     * "closed by test".
     *
     * @param name the broker's name of the connection, like
     *     {@code 127.0.0.1:54321 -> 127.0.0.1:5672}, not the client-provided name
     */
    public void closeConnection(String name) {
        closeConnection(name, "closed by test");
    }

    /**
     * Closes one connection, sending {@code reason} in the {@code X-Reason} header; the client
     * sees it in the {@code connection.close} text.
     *
     * @throws IllegalStateException if the broker has no such connection (HTTP 404) or refuses
     */
    public void closeConnection(String name, String reason) {
        var response = send(request("/api/connections/" + encode(name))
                .header("X-Reason", reason).DELETE().build());
        requireSuccess("DELETE", "/api/connections/" + encode(name), response);
    }

    /**
     * Closes every connection whose client-provided name ({@code client_properties.connection_name},
     * the name given to {@code ConnectionFactory.newConnection}) starts with the prefix. Only
     * connections the API already lists are closed; see {@link #awaitConnectionNamed}.
     *
     * @return how many connections were closed; one that closed on its own meanwhile is not counted
     */
    public int closeConnectionsNamed(String clientProvidedNamePrefix) {
        int closed = 0;
        for (JsonNode connection : connections()) {
            if (hasNamePrefix(connection, clientProvidedNamePrefix)) {
                String name = connection.path("name").asText();
                var response = send(request("/api/connections/" + encode(name))
                        .header("X-Reason", "closed by test").DELETE().build());
                if (response.statusCode() == 404) {
                    continue;
                }
                requireSuccess("DELETE", "/api/connections/" + encode(name), response);
                closed++;
            }
        }
        return closed;
    }

    /**
     * Waits until a connection whose client-provided name starts with the prefix is listed,
     * polling every 200 ms.
     *
     * @return that connection's JSON
     * @throws AssertionError if none shows up within the timeout, listing the names seen
     */
    public JsonNode awaitConnectionNamed(String clientProvidedNamePrefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen;
        do {
            List<JsonNode> connections = connections();
            for (JsonNode connection : connections) {
                if (hasNamePrefix(connection, clientProvidedNamePrefix)) {
                    return connection;
                }
            }
            seen = connections.stream()
                    .map(c -> clientProvidedName(c).orElse(c.path("name").asText()))
                    .toList();
            pause();
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no connection named '" + clientProvidedNamePrefix + "...' showed up at "
                + baseUri + " within " + timeout + "; connections listed: " + seen);
    }

    /**
     * The queue's JSON in vhost {@code "/"} ({@code GET /api/queues/%2F/{name}}).
     *
     * @throws IllegalStateException if there is no such queue (HTTP 404)
     */
    public JsonNode queue(String name) {
        return getJson("/api/queues/" + DEFAULT_VHOST + "/" + encode(name));
    }

    /** The queue's JSON in vhost {@code "/"}, empty if there is no such queue. */
    public Optional<JsonNode> findQueue(String name) {
        String path = "/api/queues/" + DEFAULT_VHOST + "/" + encode(name);
        var response = send(request(path).GET().build());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(parse("GET", path, response));
    }

    /** The names of all queues in vhost {@code "/"}. */
    public List<String> queueNames() {
        return elements(getJson("/api/queues/" + DEFAULT_VHOST + "?columns=name")).stream()
                .map(queue -> queue.path("name").asText())
                .toList();
    }

    @Override
    public String toString() {
        return "ManagementApi[" + baseUri + "]";
    }

    /** The client-provided name of a connection from {@link #connections()}, if it has one. */
    static Optional<String> clientProvidedName(JsonNode connection) {
        JsonNode name = connection.path("client_properties").path("connection_name");
        if (name.isMissingNode() || name.isNull()) {
            name = connection.path("user_provided_name");
        }
        return name.isTextual() ? Optional.of(name.asText()) : Optional.empty();
    }

    private static boolean hasNamePrefix(JsonNode connection, String prefix) {
        return clientProvidedName(connection).filter(name -> name.startsWith(prefix)).isPresent();
    }

    private JsonNode getJson(String path) {
        return parse("GET", path, send(request(path).GET().build()));
    }

    private JsonNode parse(String method, String path, HttpResponse<String> response) {
        requireSuccess(method, path, response);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + baseUri + path + " returned a body that is not JSON: "
                    + response.body(), e);
        }
    }

    private void requireSuccess(String method, String path, HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + baseUri + path + " failed: HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    private static List<JsonNode> elements(JsonNode array) {
        var list = new ArrayList<JsonNode>(array.size());
        array.forEach(list::add);
        return List.copyOf(list);
    }

    /** Encodes one path segment: {@code /} becomes {@code %2F} and a space {@code %20}, not {@code +}. */
    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a connection to show up", e);
        }
    }
}
