package dev.warren.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * {@code # HELP}, a {@code # TYPE}, a comment, blank, or a sample {@code name{labels} value};
 * anything else fails with the line and its number. Also checks that a family's {@code TYPE}
 * comes before its samples and appears once.
 */
final class PrometheusText {

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
        String label(String key) {
            return labels.get(key);
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern TYPE_LINE = Pattern.compile(
            "# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP_LINE = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_count", "_sum");

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = List.copyOf(samples);
        this.types = Map.copyOf(types);
    }

    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int number = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher type = TYPE_LINE.matcher(line);
                if (type.matches()) {
                    if (types.put(type.group(1), type.group(2)) != null) {
                        throw new AssertionError("line " + number + ": second TYPE for " + type.group(1));
                    }
                } else if (line.startsWith("# TYPE") || line.startsWith("# HELP") && !HELP_LINE.matcher(line).matches()) {
                    throw new AssertionError("line " + number + ": malformed comment: " + line);
                }
                continue;
            }
            Sample sample = sample(line, number);
            if (family(sample.name(), types) == null) {
                throw new AssertionError("line " + number + ": sample of " + sample.name() + " before its TYPE: " + line);
            }
            samples.add(sample);
        }
        if (samples.isEmpty()) {
            throw new AssertionError("no samples in:\n" + text);
        }
        return new PrometheusText(samples, types);
    }

    /** The family a sample name belongs to: itself, or a histogram's name without _bucket/_count/_sum. */
    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : HISTOGRAM_SUFFIXES) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    private static Sample sample(String line, int number) {
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new AssertionError("line " + number + ": no metric name: " + line);
        }
        int at = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (line.charAt(at) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(at, line.length());
                if (!label.lookingAt() || line.charAt(label.end()) != '=' || line.charAt(label.end() + 1) != '"') {
                    throw new AssertionError("line " + number + ": malformed label at column " + at + ": " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = label.end() + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char escaped = line.charAt(++j);
                        value.append(switch (escaped) {
                            case 'n' -> '\n';
                            case '\\' -> '\\';
                            case '"' -> '"';
                            default -> throw new AssertionError("line " + number + ": bad escape \\" + escaped);
                        });
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label.group(), value.toString()) != null) {
                    throw new AssertionError("line " + number + ": label " + label.group() + " twice: " + line);
                }
                at = j + 1;
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            at++;
        }
        String[] rest = line.substring(at).strip().split(" ");
        if (line.charAt(at) != ' ' || rest.length < 1 || rest.length > 2) {
            throw new AssertionError("line " + number + ": expected ' value [timestamp]' after the labels: " + line);
        }
        return new Sample(name.group(), Map.copyOf(labels), value(rest[0], line, number));
    }

    private static double value(String text, String line, int number) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new AssertionError("line " + number + ": value is not a number: " + line);
                }
            }
        };
    }

    List<Sample> samples() {
        return samples;
    }

    /** The samples called {@code name} whose labels include {@code labels}. */
    List<Sample> samples(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
    }

    /** The one sample called {@code name} with exactly these labels (among others), or fails. */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = samples(name, labels);
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + labels + ", found " + found);
        }
        return found.get(0).value();
    }

    /** Every sample name in the scrape, e.g. {@code warren_tasks_total}, {@code warren_task_duration_seconds_bucket}. */
    Set<String> sampleNames() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** The declared type of a family, e.g. "histogram". */
    String type(String family) {
        return types.get(family);
    }

    /** The values the label {@code key} takes in samples called {@code name}. */
    Set<String> labelValues(String name, String key) {
        Set<String> values = new TreeSet<>();
        samples.stream().filter(s -> s.name().equals(name) && s.labels().containsKey(key))
                .forEach(s -> values.add(s.label(key)));
        return values;
    }
}
