package dev.warren.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** One request as the console's endpoints see it: method, path, parameters, body and session. */
final class ConsoleRequest {

    /** Bodies larger than this are refused: the console's forms and JSON are small. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpExchange exchange;
    private final Session session;
    private final Map<String, String> query;
    private byte[] body;

    ConsoleRequest(HttpExchange exchange, Session session) {
        this.exchange = exchange;
        this.session = session;
        this.query = parse(exchange.getRequestURI().getRawQuery());
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getPath();
    }

    /**
     * The path's last segment, decoded: an id in the last segment may hold an encoded {@code /}
     * ({@code %2F}), which {@link #path()} cannot tell from a separator. A {@code +} stays a {@code +}.
     */
    String lastSegment() {
        String raw = exchange.getRequestURI().getRawPath();
        return URLDecoder.decode(raw.substring(raw.lastIndexOf('/') + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The signed-in user's session; endpoints behind sign-in always have one. */
    Session session() {
        if (session == null) {
            throw new IllegalStateException("no session for " + path());
        }
        return session;
    }

    Optional<Session> optionalSession() {
        return Optional.ofNullable(session);
    }

    /** A query parameter, empty when absent or blank. */
    Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name)).filter(value -> !value.isBlank());
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /** The body as an HTML form ({@code application/x-www-form-urlencoded}). */
    Map<String, String> form() throws IOException {
        return parse(new String(body(), StandardCharsets.UTF_8));
    }

    /**
     * The body as JSON.
     *
     * @throws IllegalArgumentException when it is not JSON (the client's mistake: HTTP 400)
     */
    JsonNode json() throws IOException {
        byte[] bytes = body();
        try {
            return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private byte[] body() throws IOException {
        if (body == null) {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] read = in.readNBytes(MAX_BODY_BYTES + 1);
                if (read.length > MAX_BODY_BYTES) {
                    throw new IllegalArgumentException("request body larger than " + MAX_BODY_BYTES + " bytes");
                }
                body = read;
            }
        }
        return body;
    }

    private static Map<String, String> parse(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.putIfAbsent(key, value);
        }
        return values;
    }
}
