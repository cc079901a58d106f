package dev.warren.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hand-written seeds of {@link BadInputFuzzTest}, read from {@code fuzz/bad-input-corpus.jsonl}
 * on the test class path; the file's header explains the format. Every seed says what Warren must
 * do with it, so a seed that looks odd but is valid (a byte order mark, a numeric string for a
 * {@code long}) pins that decision too.
 */
final class FuzzCorpus {

    static final String RESOURCE = "/fuzz/bad-input-corpus.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> EXPECTATIONS = Set.of(FuzzMessage.SUCCEEDED, FuzzMessage.MALFORMED,
            FuzzMessage.TOO_LARGE, FuzzMessage.UNKNOWN_TYPE, FuzzMessage.INVALID_PAYLOAD);

    private FuzzCorpus() {
    }

    /** Every seed of the corpus, in file order. */
    static List<FuzzMessage> load() {
        List<FuzzMessage> seeds = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (InputStream in = FuzzCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test class path");
            }
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                try {
                    FuzzMessage seed = seed(JSON.readTree(line));
                    if (!names.add(seed.name())) {
                        throw new IllegalArgumentException("duplicate name " + seed.name());
                    }
                    seeds.add(seed);
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException(RESOURCE + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(seeds);
    }

    private static FuzzMessage seed(JsonNode entry) {
        String name = entry.path("name").asText();
        String expect = entry.path("expect").asText();
        if (name.isBlank() || !EXPECTATIONS.contains(expect)) {
            throw new IllegalArgumentException("needs a name and an expect out of " + EXPECTATIONS + ": " + entry);
        }
        return new FuzzMessage(name, body(entry.path("body")), properties(entry.path("properties"), entry.path("headers")),
                expect);
    }

    private static byte[] body(JsonNode body) {
        if (body.isTextual()) {
            return body.asText().getBytes(StandardCharsets.UTF_8);
        }
        var out = new ByteArrayOutputStream();
        for (JsonNode part : body) {
            if (part.isTextual()) {
                out.writeBytes(part.asText().getBytes(StandardCharsets.UTF_8));
            } else if (part.has("hex")) {
                out.writeBytes(HexFormat.of().parseHex(part.get("hex").asText().replace(" ", "")));
            } else if (part.has("repeat")) {
                out.writeBytes(part.get("repeat").asText().repeat(part.get("times").asInt())
                        .getBytes(StandardCharsets.UTF_8));
            } else if (part.has("encode")) {
                out.writeBytes(part.get("text").asText().getBytes(Charset.forName(part.get("encode").asText())));
            } else {
                throw new IllegalArgumentException("unknown body part " + part);
            }
        }
        return out.toByteArray();
    }

    private static AMQP.BasicProperties properties(JsonNode properties, JsonNode headers) {
        var builder = new AMQP.BasicProperties.Builder().deliveryMode(2);
        properties.properties().forEach(property -> {
            JsonNode value = property.getValue();
            switch (property.getKey()) {
                case "type" -> builder.type(value.asText());
                case "content_type" -> builder.contentType(value.asText());
                case "content_encoding" -> builder.contentEncoding(value.asText());
                case "delivery_mode" -> builder.deliveryMode(value.asInt());
                case "priority" -> builder.priority(value.asInt());
                case "app_id" -> builder.appId(value.asText());
                case "timestamp" -> builder.timestamp(new Date(value.asLong() * 1000));
                case "reply_to" -> builder.replyTo(value.asText());
                default -> throw new IllegalArgumentException("unsupported property " + property.getKey());
            }
        });
        if (!headers.isMissingNode()) {
            builder.headers(table(headers));
        }
        return builder.build();
    }

    private static Map<String, Object> table(JsonNode table) {
        Map<String, Object> result = new LinkedHashMap<>();
        table.properties().forEach(field -> result.put(field.getKey(), typed(field.getValue())));
        return result;
    }

    /** One AMQP field value from its JSON form, e.g. {@code {"short": 3}}; see the corpus header. */
    static Object typed(JsonNode value) {
        if (value.size() != 1) {
            throw new IllegalArgumentException("a typed header value has exactly one type, was " + value);
        }
        var entry = value.properties().iterator().next();
        JsonNode v = entry.getValue();
        return switch (entry.getKey()) {
            case "int" -> v.intValue();
            case "long" -> v.longValue();
            case "short" -> v.shortValue();
            case "byte" -> (byte) v.intValue();
            case "float" -> v.isTextual() ? Float.parseFloat(v.asText()) : v.floatValue();
            case "double" -> v.isTextual() ? Double.parseDouble(v.asText()) : v.doubleValue();
            case "decimal" -> new BigDecimal(v.asText());
            case "string" -> v.asText();
            case "bool" -> v.booleanValue();
            case "timestamp" -> new Date(v.longValue() * 1000);
            case "bytes_hex" -> HexFormat.of().parseHex(v.asText().replace(" ", ""));
            case "void" -> null;
            case "table" -> table(v);
            case "array" -> {
                List<Object> list = new ArrayList<>();
                v.forEach(element -> list.add(typed(element)));
                yield list;
            }
            default -> throw new IllegalArgumentException("unknown header value type " + entry.getKey());
        };
    }
}
