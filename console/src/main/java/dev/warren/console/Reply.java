package dev.warren.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.CoreModule;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers: status, content type, extra headers and body.
 *
 * @param status      HTTP status
 * @param contentType the {@code Content-Type}
 * @param headers     further headers, such as {@code Set-Cookie} or {@code Location}
 * @param body        the body
 */
record Reply(int status, String contentType, Map<String, String> headers, byte[] body) {

    static final String JSON_TYPE = "application/json; charset=utf-8";
    static final String HTML_TYPE = "text/html; charset=utf-8";
    /** snake_case names, like Warren's wire format. */
    private static final ObjectMapper JSON = CoreModule.newObjectMapper();

    Reply {
        headers = Map.copyOf(headers);
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
        return new Reply(status, contentType, more, body);
    }
}
