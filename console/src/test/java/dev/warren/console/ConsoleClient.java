package dev.warren.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/** An HTTP client of a running console for tests, keeping its cookies like a browser would. */
final class ConsoleClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;

    ConsoleClient(Console console) {
        this.base = URI.create("http://127.0.0.1:" + console.port());
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    }

    URI base() {
        return base;
    }

    /** The client itself, with the cookies of its sign-in. */
    HttpClient http() {
        return http;
    }

    /** Signs in with the JSON API; returns the response (its body holds the CSRF token on success). */
    HttpResponse<String> signIn(String user, String password) throws Exception {
        return postJson("/api/session", JSON.createObjectNode().put("user", user).put("password", password), Map.of());
    }

    /** The CSRF token of a successful {@link #signIn}. */
    static String csrfToken(HttpResponse<String> signIn) throws Exception {
        return JSON.readTree(signIn.body()).path("csrf_token").asText();
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, JsonNode body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postForm(String path, Map<String, String> fields) throws Exception {
        String form = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
