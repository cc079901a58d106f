package dev.warren.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The console's JSON API as a signed-in user, for timing it: the session cookie and the CSRF token. */
final class ConsoleApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final String csrf;

    private ConsoleApiClient(URI base, HttpClient http, String csrf) {
        this.base = base;
        this.http = http;
        this.csrf = csrf;
    }

    /** Signs in to the console on {@code port} of this host with the JSON API. */
    static ConsoleApiClient signIn(int port, String user, String password) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String body = JSON.createObjectNode().put("user", user).put("password", password).toString();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        checked(response);
        return new ConsoleApiClient(base, http, JSON.readTree(response.body()).path("csrf_token").asText());
    }

    /** The body of {@code GET path}; fails unless the console answers 2xx. */
    String get(String path) throws Exception {
        return checked(http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString())).body();
    }

    /** The body of {@code POST path} without a body, with the CSRF token; fails unless the console answers 2xx. */
    String post(String path) throws Exception {
        return checked(http.send(HttpRequest.newBuilder(base.resolve(path)).header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())).body();
    }

    private static HttpResponse<String> checked(HttpResponse<String> response) throws IOException {
        if (response.statusCode() / 100 != 2) {
            throw new IOException(response.request().method() + " " + response.uri().getPath() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
