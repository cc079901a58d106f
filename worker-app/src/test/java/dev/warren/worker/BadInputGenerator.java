package dev.warren.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import dev.warren.core.wire.TaskHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Generates the fuzz test's tasks from one seeded {@link Random}: valid tasks of worker-app's
 * harmless demo types ({@code noop}, {@code echo}, {@code send_welcome_email}) and mutations of
 * such tasks that are malformed by construction. Each {@link Mutation} breaks a task in exactly
 * one way whose outcome is certain (a strict prefix of a JSON object is never JSON, a byte
 * {@code 0xFF} is never UTF-8), so every message carries the exception it must be dead-lettered
 * with. Types that would sleep, fail or halt the worker are never generated as valid tasks.
 */
final class BadInputGenerator {

    /** worker-app's demo task types: anything else is counted as {@code unknown}. */
    static final Set<String> REGISTERED = Set.of("send_welcome_email", "noop", "echo", "sleep", "fail", "crash");
    private static final List<String> VALID_TYPES = List.of("noop", "echo", "send_welcome_email");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One way to break a valid task, with how often it is picked relative to the others. */
    enum Mutation {
        INVALID_UTF8(6), TRUNCATED(6), TRAILING_GARBAGE(6), NOT_AN_OBJECT(6), BAD_TASK_TYPE(6), MISSING_TASK_TYPE(4),
        UNKNOWN_TYPE_IN_BODY(6), UNKNOWN_TYPE_PROPERTY(6), INVALID_PAYLOAD(8), SYNTAX(8), NUL_BYTE(5),
        OTHER_ENCODING(5), CONTENT_ENCODING(5), BAD_ATTEMPT(6), DEEP_NESTING(2), HUGE_NUMBER(2), OVERSIZE(1);

        final int weight;

        Mutation(int weight) {
            this.weight = weight;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** A valid task before it is encoded: its type, its fields besides task_type, and whether the type property is set. */
    private record Task(String type, ObjectNode fields, boolean typeProperty) {
    }

    private static final byte[][] INVALID_UTF8 = {
        {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF},
        {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
        {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF5}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFE}, {(byte) 0xFF},
        // Sequences cut short: followed by the start of a character or the end of the body.
        {(byte) 0xE2, (byte) 0x82}, {(byte) 0xC3}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
    };
    private static final List<String> GARBAGE = List.of("x", "}", "]", ",", "{}", "[]", "null", "0", "\"s\"", "//c",
            "/*c*/", "\u0000", "garbage", "#", ":", "{\"task_type\":\"noop\"}", "\ufeff");
    private static final List<String> BAD_LITERALS = List.of("NaN", "Infinity", "-Infinity", "undefined", "True", "nul",
            "01", "+1", ".5", "1.", "0x10", "1e", "-", "--1", "'single'", "\"\\q\"", "\"\\u12G4\"", "\"\\x41\"", "\"\\'\"",
            "\"unterminated", "[1,]", "{\"a\"}", "{\"a\" 1}", "[1 2]");
    private static final List<String> BAD_ENCODINGS = List.of("gzip", "br", "deflate", "x-gzip", "compress", "zstd",
            "utf-16", "base64", "GZIP", "identity;q=0", "utf-8, gzip", "latin1");
    private static final List<String> GOOD_ENCODINGS = List.of("utf-8", "UTF-8", "utf8", "Utf8", "identity", "", " ");
    private static final List<String> NEAR_MISSES = List.of("noop ", " noop", "NOOP", "Echo", "echo2", "noop\u0000",
            "noop\u200b", "ｎｏｏｐ", "send-welcome-email", "send_welcome_emai", "sleeep", "crash!", "fail\n", "unknown",
            "null", "*", "%s%n", "${jndi:ldap://x}", "'; DROP TABLE tasks; --", "echo\"}", "noop\\");

    private final Random random;
    private final int maxMessageBytes;
    private final ObjectMapper json = new ObjectMapper();

    BadInputGenerator(long seed, int maxMessageBytes) {
        this.random = new Random(seed);
        this.maxMessageBytes = maxMessageBytes;
    }

    /** {@code count} valid tasks, all expected to succeed. */
    List<FuzzMessage> valid(int count) {
        List<FuzzMessage> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Task task = task();
            AMQP.BasicProperties.Builder properties = properties(task).builder();
            Map<String, Object> headers = new LinkedHashMap<>();
            if (random.nextInt(10) == 0) {
                headers.putAll(oddHeaders());
            }
            if (random.nextInt(20) == 0) {
                headers.put(TaskHeaders.ATTEMPT, pick(List.<Object>of(1, 2L, (short) 3, (byte) 4, 5.0, 2.0f,
                        new BigDecimal("3"), Integer.MAX_VALUE)));
            }
            if (random.nextInt(20) == 0) {
                properties.contentEncoding(pick(GOOD_ENCODINGS));
            }
            tasks.add(new FuzzMessage("valid-" + task.type() + "#" + i, body(task),
                    properties.headers(headers.isEmpty() ? null : headers).build(), FuzzMessage.SUCCEEDED));
        }
        return tasks;
    }

    /** {@code count} malformed tasks, the mutations picked at random by weight. */
    List<FuzzMessage> malformed(int count) {
        int total = 0;
        for (Mutation mutation : Mutation.values()) {
            total += mutation.weight;
        }
        List<FuzzMessage> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int ticket = random.nextInt(total);
            Mutation chosen = null;
            for (Mutation mutation : Mutation.values()) {
                ticket -= mutation.weight;
                if (ticket < 0) {
                    chosen = mutation;
                    break;
                }
            }
            FuzzMessage message = mutate(chosen, task(), chosen.label() + "#" + i);
            if (random.nextInt(10) == 0) {
                // Odd headers never change the outcome; they must survive dead-lettering.
                Map<String, Object> headers = new LinkedHashMap<>(oddHeaders());
                if (message.properties().getHeaders() != null) {
                    headers.putAll(message.properties().getHeaders());
                }
                message = new FuzzMessage(message.name(), message.body(),
                        message.properties().builder().headers(headers).build(), message.expect());
            }
            messages.add(message);
        }
        return messages;
    }

    private FuzzMessage mutate(Mutation mutation, Task task, String name) {
        byte[] body = body(task);
        AMQP.BasicProperties properties = properties(task);
        return switch (mutation) {
            case INVALID_UTF8 -> malformed(name, insert(body, charBoundary(body), pick(INVALID_UTF8)), properties);
            case TRUNCATED -> malformed(name, java.util.Arrays.copyOf(body, random.nextInt(body.length)), properties);
            case TRAILING_GARBAGE -> malformed(name, concat(body, utf8(pick(List.of("", " ", "\n", "\t")) + pick(GARBAGE))),
                    properties);
            case NOT_AN_OBJECT -> malformed(name, utf8(pick(List.of("[" + text(body) + "]", quoted(text(body)),
                    String.valueOf(random.nextLong()), "true", "false", "null", "[]", "\"noop\"", "[\"noop\"]",
                    "[{\"task_type\":\"noop\"},{\"task_type\":\"echo\"}]", String.valueOf(random.nextDouble())))), properties);
            case BAD_TASK_TYPE -> malformed(name, encode(withTaskType(pick(List.<JsonNode>of(NODES.numberNode(random.nextInt()),
                    NODES.numberNode(random.nextDouble()), NODES.booleanNode(random.nextBoolean()), NODES.nullNode(),
                    NODES.objectNode().put("name", task.type()), NODES.arrayNode().add(task.type()), NODES.textNode(""),
                    NODES.textNode(" "), NODES.textNode("\t\n"))), task.fields())), noTypeProperty());
            case MISSING_TASK_TYPE -> malformed(name, encode(task.fields()), noTypeProperty());
            case UNKNOWN_TYPE_IN_BODY -> new FuzzMessage(name, encode(withTaskType(NODES.textNode(unknownType(3000)),
                    task.fields())), noTypeProperty(), FuzzMessage.UNKNOWN_TYPE);
            case UNKNOWN_TYPE_PROPERTY -> new FuzzMessage(name, body,
                    properties.builder().type(unknownType(60)).build(), FuzzMessage.UNKNOWN_TYPE);
            case INVALID_PAYLOAD -> invalidPayload(name);
            case SYNTAX -> malformed(name, utf8(brokenSyntax(task)), properties);
            case NUL_BYTE -> malformed(name, nulByte(task), properties);
            case OTHER_ENCODING -> malformed(name, otherEncoding(text(body)), properties);
            case CONTENT_ENCODING -> {
                String encoding = pick(BAD_ENCODINGS);
                yield malformed(name, encoding.equals("gzip") && random.nextBoolean() ? gzip(body) : body,
                        properties.builder().contentEncoding(encoding).build());
            }
            case BAD_ATTEMPT -> malformed(name, body, properties.builder()
                    .headers(Map.of(TaskHeaders.ATTEMPT, badAttempt())).build());
            case DEEP_NESTING -> malformed(name, utf8(withRawField(task, "deep", deepValue())), properties);
            case HUGE_NUMBER -> malformed(name, utf8(random.nextInt(4) == 0
                    ? withRawField(task, "k".repeat(50_001 + random.nextInt(5_000)), "1")
                    : withRawField(task, "n", (random.nextBoolean() ? "-" : "") + (random.nextBoolean() ? "0." : "")
                    + digits(1_001 + random.nextInt(4_000)))), properties);
            case OVERSIZE -> new FuzzMessage(name, utf8(withRawField(task, "pad",
                    quoted("p".repeat(maxMessageBytes + 1 + random.nextInt(4_096) - body.length)))), properties,
                    FuzzMessage.TOO_LARGE);
        };
    }

    private static FuzzMessage malformed(String name, byte[] body, AMQP.BasicProperties properties) {
        return new FuzzMessage(name, body, properties, FuzzMessage.MALFORMED);
    }

    /** A task of a harmless registered type with a few random fields. */
    private Task task() {
        String type = pick(VALID_TYPES);
        ObjectNode fields = NODES.objectNode();
        if (type.equals("send_welcome_email")) {
            fields.put("user_id", random.nextLong(1, Long.MAX_VALUE));
            fields.put("email", "user" + random.nextInt(1_000_000) + "@example.com");
            fields.put("user_name", text(20));
        }
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            fields.set("f" + i + "_" + key(6), value(0));
        }
        return new Task(type, fields, random.nextBoolean());
    }

    private JsonNode value(int depth) {
        int kind = random.nextInt(depth < 3 ? 9 : 7);
        return switch (kind) {
            case 0, 1 -> NODES.textNode(text(30));
            case 2 -> NODES.numberNode(random.nextLong());
            case 3 -> NODES.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 4 -> NODES.booleanNode(random.nextBoolean());
            case 5 -> NODES.nullNode();
            case 6 -> NODES.numberNode(new BigInteger(digits(1 + random.nextInt(300))));
            case 7 -> {
                var array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(value(depth + 1));
                }
                yield array;
            }
            default -> {
                var object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(key(8), value(depth + 1));
                }
                yield object;
            }
        };
    }

    /**
     * A field name: random text without lone surrogates, which Jackson rejects in names ("Unexpected
     * low surrogate in field name") though it reads them in values.
     */
    private String key(int max) {
        return text(max).replaceAll("\\p{Cs}", "?");
    }

    /** Random text of up to {@code max} characters from every corner of Unicode, lone surrogates included. */
    private String text(int max) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(max + 1); i > 0; i--) {
            switch (random.nextInt(10)) {
                case 0 -> text.append((char) random.nextInt(0x20));                      // control characters, NUL
                case 1 -> text.append(pick(List.of("\"", "\\", "/", "'", "{", "}", "[", "]", ":", ",", "%", "$")));
                case 2 -> text.append((char) (0xA0 + random.nextInt(0x160)));            // Latin-1 and beyond
                case 3 -> text.append((char) (0x4E00 + random.nextInt(0x5000)));         // CJK
                case 4 -> text.appendCodePoint(0x1F300 + random.nextInt(0x300));         // emoji: surrogate pairs
                case 5 -> text.append(pick(List.of("\ufeff", "\u2028", "\u200b", "\u00a0", "\ufffd", "\u202e")));
                case 6 -> text.append((char) (0xD800 + random.nextInt(0x800)));          // a lone surrogate
                default -> text.append((char) ('a' + random.nextInt(26)));
            }
        }
        return text.toString();
    }

    /** A task type no handler is registered for: a near miss of a real one, or random text. */
    private String unknownType(int maxLength) {
        while (true) {
            String type = switch (random.nextInt(4)) {
                case 0 -> pick(NEAR_MISSES);
                case 1 -> maxLength > 1000 ? "x".repeat(1000 + random.nextInt(maxLength - 1000)) : text(maxLength);
                default -> text(maxLength);
            };
            // Never a registered type, never blank (the type would come from the body); a type
            // property is a short string of at most 255 bytes (lone surrogates become '?').
            if (!REGISTERED.contains(type) && !type.isBlank() && !REGISTERED.contains(type.replaceAll("\\p{Cs}", "?"))
                    && (maxLength > 255 || type.getBytes(StandardCharsets.UTF_8).length <= 255)) {
                return type;
            }
        }
    }

    private FuzzMessage invalidPayload(String name) {
        ObjectNode fields = NODES.objectNode();
        String type;
        switch (random.nextInt(10)) {
            case 0 -> {
                type = "sleep";
                fields.set("ms", pick(List.<JsonNode>of(NODES.numberNode(-1 - random.nextInt(1000)),
                        NODES.numberNode(600_001 + random.nextInt(1_000_000)), NODES.textNode("forever"), NODES.nullNode())));
            }
            case 1 -> {
                type = "fail";
                // Never a valid times: a float would be truncated to a valid count and the task would fail for real.
                if (random.nextBoolean()) {
                    fields.set("p", pick(List.<JsonNode>of(NODES.numberNode(-1), NODES.numberNode(1.5 + random.nextInt(10)),
                            NODES.textNode("often"), NODES.objectNode())));
                } else {
                    fields.set("times", pick(List.<JsonNode>of(NODES.numberNode(-1 - random.nextInt(100)),
                            NODES.textNode("often"), NODES.arrayNode())));
                }
            }
            default -> {
                type = "send_welcome_email";
                fields.put("user_id", random.nextLong(1, Long.MAX_VALUE));
                fields.put("email", "user" + random.nextInt(1_000_000) + "@example.com");
                fields.put("user_name", text(10));
                switch (random.nextInt(5)) {
                    case 0 -> fields.remove(random.nextBoolean() ? "user_id" : "email");
                    case 1, 2 -> fields.set("user_id", pick(List.<JsonNode>of(NODES.textNode("abc"), NODES.textNode("1x"),
                            NODES.textNode(""), NODES.textNode("0x10"), NODES.booleanNode(random.nextBoolean()),
                            NODES.nullNode(), NODES.objectNode().put("id", 1), NODES.arrayNode().add(1),
                            NODES.numberNode(BigInteger.TWO.pow(64 + random.nextInt(100))), NODES.numberNode(1e20),
                            NODES.numberNode(-1e19))));
                    case 3 -> fields.set("email", pick(List.<JsonNode>of(NODES.nullNode(), NODES.textNode("nope"),
                            NODES.textNode(""), NODES.numberNode(5), NODES.booleanNode(true),
                            NODES.objectNode().put("address", "a@example.com"), NODES.arrayNode().add("a@example.com"))));
                    default -> fields.set("user_name", random.nextBoolean() ? NODES.objectNode() : NODES.arrayNode().add(1));
                }
            }
        }
        Task task = new Task(type, fields, random.nextBoolean());
        return new FuzzMessage(name, body(task), properties(task), FuzzMessage.INVALID_PAYLOAD);
    }

    /** The task as JSON text with exactly one syntax error. */
    private String brokenSyntax(Task task) {
        List<String> members = new ArrayList<>();
        task.fields().properties().forEach(field -> members.add(raw(NODES.textNode(field.getKey())) + ":" + raw(field.getValue())));
        if (members.isEmpty()) {
            members.add("\"n\":1");
        }
        String typeMember = "\"task_type\":" + raw(NODES.textNode(task.type()));
        String rest = String.join(",", members);
        char control = (char) pick(List.of(0x01, 0x02, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B, 0x1F)).intValue();
        return switch (random.nextInt(12)) {
            case 0 -> "{\"task_type\"" + pick(List.of(";", "=", "", "::", " ")) + raw(NODES.textNode(task.type())) + "," + rest + "}";
            case 1 -> "{task_type:" + raw(NODES.textNode(task.type())) + "," + rest + "}";
            case 2 -> "{'task_type':'" + task.type() + "'," + rest + "}";
            case 3 -> "{" + typeMember + "," + rest + ",}";
            case 4 -> "{," + typeMember + "," + rest + "}";
            case 5 -> "{" + typeMember + ",," + rest + "}";
            case 6 -> "{" + typeMember + " " + rest + "}";
            case 7 -> "{" + typeMember + ",/*c*/" + rest + "}";
            case 8 -> "{\"task_type\":\"" + task.type().substring(0, 2) + control + task.type().substring(2) + "\"," + rest + "}";
            case 9 -> "{" + typeMember + "," + rest + ",\"bad\":" + pick(BAD_LITERALS) + "}";
            case 10 -> "{" + typeMember + "," + rest + "}}";
            default -> "{" + typeMember + "," + rest + "," + raw(NODES.textNode("k")) + "}";
        };
    }

    /** The task with a raw NUL byte where JSON allows none. */
    private byte[] nulByte(Task task) {
        String rest = text(body(new Task(task.type(), task.fields(), false))).substring(1);  // without the leading '{'
        String nul = "\u0000";
        return utf8(switch (random.nextInt(6)) {
            case 0 -> nul + "{" + rest;
            case 1 -> "{" + rest + nul;
            case 2 -> "{" + nul + rest;
            case 3 -> "{\"task_type\":" + nul + raw(NODES.textNode(task.type())) + "}";
            case 4 -> "{\"task_type\":\"" + task.type().charAt(0) + nul + task.type().substring(1) + "\"}";
            default -> "{" + rest.substring(0, rest.length() - 1) + nul + "}";
        });
    }

    private byte[] otherEncoding(String text) {
        String charset = pick(List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE", "UTF-32"));
        byte[] encoded = text.replaceAll("\\p{Cs}", "?").getBytes(Charset.forName(charset));
        if (charset.equals("UTF-16LE") && random.nextBoolean()) {
            return concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, encoded);
        }
        return encoded;
    }

    /** No NaN or infinity: RabbitMQ cannot parse them in headers and closes the publisher's connection. */
    private Object badAttempt() {
        return pick(List.<Object>of(-random.nextInt(Integer.MAX_VALUE), 0, (short) -1, (byte) 0,
                Integer.MAX_VALUE + 1L + random.nextInt(Integer.MAX_VALUE), Long.MAX_VALUE, random.nextInt(100) + 0.5,
                random.nextInt(100) + 0.25f, 0.0, -0.0, 1e300, -1e300,
                String.valueOf(1 + random.nextInt(5)), "abc", true, false, Map.of("n", 1), List.of(1),
                new byte[] {1}, new Date(1000), new BigDecimal("1.5"), new BigDecimal("-3")));
    }

    private Map<String, Object> oddHeaders() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("void", null);
        nested.put("bytes", new byte[] {(byte) 0xC0, (byte) 0xAF, 0});
        nested.put("list", List.of(1, "two", 3.0, List.of(), Map.of()));
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("x-fuzz-" + random.nextInt(1000), pick(List.<Object>of(text(40), random.nextLong(), random.nextDouble(),
                (short) random.nextInt(), (byte) random.nextInt(), random.nextFloat(), random.nextBoolean(),
                new BigDecimal(BigInteger.valueOf(random.nextInt()), random.nextInt(10)), new Date(random.nextInt() * 1000L),
                nested, List.of(nested, -0.0))));
        return headers;
    }

    private String deepValue() {
        int depth = 1_000 + random.nextInt(7_000);
        return switch (random.nextInt(3)) {
            case 0 -> "[".repeat(depth) + "]".repeat(depth);
            case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            default -> "[".repeat(depth);
        };
    }

    private String withRawField(Task task, String key, String rawValue) {
        String text = text(body(task));
        return text.substring(0, text.length() - 1) + "," + raw(NODES.textNode(key)) + ":" + rawValue + "}";
    }

    private byte[] body(Task task) {
        return encode(withTaskType(NODES.textNode(task.type()), task.fields()));
    }

    private static ObjectNode withTaskType(JsonNode type, ObjectNode fields) {
        ObjectNode body = NODES.objectNode();
        body.set("task_type", type);
        body.setAll(fields);
        return body;
    }

    private AMQP.BasicProperties properties(Task task) {
        if (!task.typeProperty()) {
            return new AMQP.BasicProperties.Builder().deliveryMode(2).build();          // as a bare pika producer sends
        }
        return new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").type(task.type())
                .timestamp(new Date()).appId("warren-fuzz").build();
    }

    private AMQP.BasicProperties noTypeProperty() {
        var builder = new AMQP.BasicProperties.Builder().deliveryMode(2);
        return random.nextBoolean() ? builder.build() : builder.type(pick(List.of("", " ", "\t"))).build();
    }

    private byte[] encode(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String raw(JsonNode node) {
        return new String(encode(node), StandardCharsets.UTF_8);
    }

    private static String text(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private String quoted(String text) {
        return raw(NODES.textNode(text));
    }

    private String digits(int count) {
        StringBuilder digits = new StringBuilder().append((char) ('1' + random.nextInt(9)));
        while (digits.length() < count) {
            digits.append((char) ('0' + random.nextInt(10)));
        }
        return digits.toString();
    }

    /** A position between two characters (never inside a multi-byte one). */
    private int charBoundary(byte[] utf8) {
        while (true) {
            int position = random.nextInt(utf8.length + 1);
            if (position == utf8.length || (utf8[position] & 0xC0) != 0x80) {
                return position;
            }
        }
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private byte[] pick(byte[][] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] insert(byte[] body, int position, byte[] bytes) {
        var out = new ByteArrayOutputStream();
        out.write(body, 0, position);
        out.writeBytes(bytes);
        out.write(body, position, body.length - position);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] result = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] body) {
        var out = new ByteArrayOutputStream();
        try (var zip = new GZIPOutputStream(out)) {
            zip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
