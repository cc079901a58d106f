package dev.warren.producer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Builds a task payload from {@code --json} and {@code --field key=value} flags. */
final class TaskFields {

    private TaskFields() {
    }

    /**
     * The payload: the {@code json} object (or empty), then each field; a field value that parses
     * as JSON (a number, true, null, an object) is used as such, anything else as a string.
     */
    static ObjectNode payload(ObjectMapper mapper, String json, List<String> fields) {
        ObjectNode payload;
        if (json == null || json.isBlank()) {
            payload = mapper.createObjectNode();
        } else {
            JsonNode parsed = parse(mapper, json);
            if (parsed == null || !parsed.isObject()) {
                throw new IllegalArgumentException("--json must be a JSON object such as '{\"user_id\": 123}', was " + json);
            }
            payload = (ObjectNode) parsed;
        }
        for (String field : fields == null ? List.<String>of() : fields) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--field must be key=value, was '" + field + "'");
            }
            String value = field.substring(eq + 1);
            JsonNode parsed = parse(mapper, value);
            payload.set(field.substring(0, eq), parsed != null && !parsed.isTextual() ? parsed
                    : mapper.getNodeFactory().textNode(value));
        }
        return payload;
    }

    /** The JSON value {@code text} is, or null when it is not exactly one JSON value. */
    private static JsonNode parse(ObjectMapper mapper, String text) {
        try {
            // Trailing tokens fail, so "123 Main St" is a string, not the number 123.
            JsonNode node = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
