package dev.warren.producer.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.config.InvalidSettingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which task the load generator sends as its n-th task: a type picked by weight, a payload that
 * the worker-app demo type accepts, padding up to {@code --payload-bytes}, and, for a
 * {@code --fail-ratio} share of all tasks, a {@code fail} task that fails every attempt and so
 * ends in the dead-letter queue.
 *
 * <p>Deterministic: the n-th task depends only on n, so counts are exact whatever the number of
 * publisher threads. Weights repeat in a cycle of their sum (smooth weighted round robin, so
 * {@code a=2,b=1} sends {@code a b a a b a ...}); dead-letter tasks are spread evenly, the n-th
 * being one when {@code floor((n+1)r) > floor(nr)}, which makes exactly {@code floor(N r)} of the
 * first N. Immutable and thread-safe.
 */
final class TaskMix {

    /** Type sent by {@code --fail-ratio} (and the demo type that fails on purpose). */
    static final String FAIL = "fail";
    /**
     * {@code times} of a dead-letter task: fails every attempt, since retry settings cap max
     * attempts at 1000.
     */
    static final int FAIL_EVERY_ATTEMPT = 1000;
    /** Field that pads a body to {@code --payload-bytes}. */
    static final String PADDING_FIELD = "padding";
    private static final int MAX_CYCLE = 10_000;

    private final List<String> types;
    private final String[] cycle;
    private final double failRatio;
    private final int payloadBytes;
    private final ObjectMapper mapper;
    private final String padding;
    private final Map<String, Integer> paddingByType = new LinkedHashMap<>();
    private final int deadLetterPadding;

    private TaskMix(Map<String, Integer> weights, double failRatio, int payloadBytes, ObjectMapper mapper) {
        this.types = List.copyOf(weights.keySet());
        this.cycle = cycle(weights);
        this.failRatio = failRatio;
        this.payloadBytes = payloadBytes;
        this.mapper = mapper;
        this.padding = "x".repeat(Math.max(0, payloadBytes));
        for (String type : types) {
            paddingByType.put(type, paddingFor(type, payload(type, 0, false)));
        }
        this.deadLetterPadding = paddingFor(FAIL, payload(FAIL, 0, true));
    }

    /**
     * A mix from {@code --types} ({@code noop=8,send_welcome_email=1}; a type without a weight
     * counts 1), {@code --fail-ratio} (0 to 1) and {@code --payload-bytes} (0 = no padding).
     *
     * @throws InvalidSettingException naming the flag when a value is not allowed
     */
    static TaskMix parse(String typeWeights, double failRatio, int payloadBytes, ObjectMapper mapper) {
        require(failRatio >= 0 && failRatio <= 1,
                "--fail-ratio must be between 0 and 1, was " + failRatio);
        require(payloadBytes >= 0 && payloadBytes <= 16 * 1024 * 1024,
                "--payload-bytes must be between 0 and 16777216, was " + payloadBytes);
        return new TaskMix(weights(typeWeights), failRatio, payloadBytes, mapper);
    }

    /** The task types of the mix, in the order given. */
    List<String> types() {
        return types;
    }

    /** True when the n-th task (0-based) is a dead-letter task of {@code --fail-ratio}. */
    boolean deadLetterTask(long n) {
        return failRatio > 0 && Math.floor((n + 1) * failRatio) > Math.floor(n * failRatio);
    }

    /** The type of the n-th task (0-based). */
    String typeOf(long n) {
        return deadLetterTask(n) ? FAIL : cycle[(int) (n % cycle.length)];
    }

    /** The payload of the n-th task (0-based), padded to about {@code --payload-bytes}. */
    ObjectNode payloadOf(long n) {
        boolean deadLetter = deadLetterTask(n);
        String type = deadLetter ? FAIL : cycle[(int) (n % cycle.length)];
        ObjectNode payload = payload(type, n, deadLetter);
        int pad = deadLetter ? deadLetterPadding : paddingByType.get(type);
        if (pad > 0) {
            payload.put(PADDING_FIELD, padding.substring(0, pad));
        }
        return payload;
    }

    /**
     * A payload each worker-app demo type accepts: {@code fail} fails its first attempt only (or
     * every attempt for a dead-letter task), {@code sleep} sleeps 10 ms, other types get no fields.
     */
    private ObjectNode payload(String type, long n, boolean deadLetter) {
        ObjectNode payload = mapper.createObjectNode();
        switch (type) {
            case "send_welcome_email" -> payload.put("user_id", n).put("email", "user" + n + "@example.com")
                    .put("user_name", "Load User " + n);
            case "echo" -> payload.put("text", "load " + n);
            case "sleep" -> payload.put("ms", 10);
            case FAIL -> payload.put("times", deadLetter ? FAIL_EVERY_ATTEMPT : 1);
            default -> {
            }
        }
        return payload;
    }

    /** Characters of padding that bring {@code type}'s body to about {@code payloadBytes}. */
    private int paddingFor(String type, ObjectNode payload) {
        if (payloadBytes == 0) {
            return 0;
        }
        ObjectNode body = mapper.createObjectNode().put("task_type", type);
        body.setAll(payload);
        body.put(PADDING_FIELD, "");
        int size = body.toString().getBytes(StandardCharsets.UTF_8).length;
        return Math.max(0, payloadBytes - size);
    }

    private static Map<String, Integer> weights(String text) {
        require(text != null && !text.isBlank(),
                "--types must name at least one task type, e.g. noop=8,send_welcome_email=1");
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String entry = part.strip();
            int equals = entry.indexOf('=');
            String type = (equals < 0 ? entry : entry.substring(0, equals)).strip();
            require(!type.isEmpty(), "--types has an empty task type in '" + text + "'");
            int weight = 1;
            if (equals >= 0) {
                try {
                    weight = Integer.parseInt(entry.substring(equals + 1).strip());
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException("--types weight of '" + type + "' must be a whole number, was '"
                            + entry.substring(equals + 1).strip() + "'");
                }
            }
            require(weight >= 0, "--types weight of '" + type + "' must be >= 0, was " + weight);
            require(!weights.containsKey(type), "--types names '" + type + "' twice");
            if (weight > 0) {
                weights.put(type, weight);
            }
        }
        int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
        require(sum > 0, "--types needs a type with a weight above 0, was '" + text + "'");
        require(sum <= MAX_CYCLE, "--types weights must add up to at most " + MAX_CYCLE
                + ", was " + sum + " (use smaller numbers with the same proportions)");
        return weights;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSettingException(message);
        }
    }

    /** Smooth weighted round robin: each type appears weight times per cycle, spread out. */
    private static String[] cycle(Map<String, Integer> weights) {
        int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
        List<String> names = new ArrayList<>(weights.keySet());
        int[] current = new int[names.size()];
        String[] cycle = new String[sum];
        for (int slot = 0; slot < sum; slot++) {
            int best = 0;
            for (int i = 0; i < names.size(); i++) {
                current[i] += weights.get(names.get(i));
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= sum;
            cycle[slot] = names.get(best);
        }
        return cycle;
    }
}
