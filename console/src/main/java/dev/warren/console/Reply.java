package dev.warren.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.CoreModule;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers: status, content type, extra headers and body, the body either in hand
 * ({@code body}) or written as it is made ({@code stream}, sent chunked, with no {@code Content-Length}).
 *
 * @param status      HTTP status
 * @param contentType the {@code Content-Type}
 * @param headers     further headers, such as {@code Set-Cookie} or {@code Location}
 * @param body        the body; empty when streamed
 * @param stream      writes the body once the status and headers are sent, or null
 */
record Reply(int status, String contentType, Map<String, String> headers, byte[] body, Stream stream) {

    /**
     * Writes a streamed body. The status is sent already: a failure past that point can only end the
     * body (say so in it) or abort the response (throw).
     */
    @FunctionalInterface
    interface Stream {
        void writeTo(OutputStream out) throws IOException;
    }

    static final String JSON_TYPE = "application/json; charset=utf-8";
    static final String HTML_TYPE = "text/html; charset=utf-8";
    /** snake_case names, like Warren's wire format. */
    private static final ObjectMapper JSON = CoreModule.newObjectMapper();

    Reply {
        headers = Map.copyOf(headers);
    }

    Reply(int status, String contentType, Map<String, String> headers, byte[] body) {
        this(status, contentType, headers, body, null);
    }

    /** A body written by {@code stream} as it is made, in chunks. */
    static Reply streamed(int status, String contentType, Map<String, String> headers, Stream stream) {
        return new Reply(status, contentType, headers, new byte[0], stream);
    }

    static Reply json(int status, Object value) {
        try {
            return new Reply(status, JSON_TYPE, Map.of(), JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON of " + value.getClass().getSimpleName(), e);
        }
    }

    static Reply json(Object value) {
        return json(200, value);
    }

    /** {@code {"error": message}} with this status. */
    static Reply error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    static Reply html(int status, String html) {
        return new Reply(status, HTML_TYPE, Map.of(), html.getBytes(StandardCharsets.UTF_8));
    }

    /** A 303 See Other to {@code location}. */
    static Reply redirect(String location) {
        return new Reply(303, "text/plain; charset=utf-8", Map.of("Location", location), new byte[0]);
    }

    Reply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(status, contentType, more, body, stream);
    }
}
