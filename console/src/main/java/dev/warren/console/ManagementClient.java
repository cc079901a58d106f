package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Reads the RabbitMQ management HTTP API as one user, with that user's basic-auth credentials, so
 * the broker decides what the user may see. Thread safe; every call blocks on one request.
 */
final class ManagementClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI baseUrl;
    private final String user;
    private final String authorization;

    ManagementClient(HttpClient http, URI baseUrl, String user, String password) {
        this.http = http;
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.user = user;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code GET} of an API path such as {@code /api/whoami}, as JSON.
     *
     * @throws AccessRefusedException on HTTP 401 or 403, with the broker's reason
     * @throws IOException when the API cannot be reached ("cannot reach the management API at ...") or
     *                     answers another error
     */
    JsonNode get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", authorization).header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during GET " + baseUrl + path, e);
        } catch (IOException e) {
            throw new IOException("cannot reach the management API at " + baseUrl + ": " + FailureMessages.describe(e), e);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new AccessRefusedException("the broker refused user '" + user + "' GET " + path + ": "
                    + reason(response.body()));
        }
        if (status / 100 != 2) {
            throw new IOException("GET " + baseUrl + path + " failed: HTTP " + status + " " + reason(response.body()));
        }
        return JSON.readTree(response.body());
    }

    /** The user these calls are made as. */
    String user() {
        return user;
    }

    /** A vhost or other name as one path segment ({@code /} becomes {@code %2F}). */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String reason(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json.path("reason").asText(body);
        } catch (IOException e) {
            return body;
        }
    }
}
