package dev.warren.metrics;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression (or a Grafana {@code label_values(...)} query)
 * reads. Enough PromQL for our docs: strings, label matchers, ranges and {@code by (...)}-style
 * label lists are dropped; what remains that is an identifier, not a function call, not a
 * keyword and not part of a number or duration is a metric name.
 */
final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|`[^`]*`");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_]+\\s*\\)\\s*$");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

    private PromQl() {
    }

    /** The metric names {@code expression} reads. */
    static Set<String> metricNames(String expression) {
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        String text = labelValues.matches() ? labelValues.group(1) : expression;
        text = STRING.matcher(text).replaceAll("\"\"");
        text = text.replaceAll("\\{[^}]*}", " ");
        text = text.replaceAll("\\[[^\\]]*]", " ");
        text = LABEL_LIST.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            String name = identifier.group();
            int before = identifier.start() - 1;
            if (before >= 0 && (Character.isDigit(text.charAt(before)) || text.charAt(before) == '.'
                    || text.charAt(before) == '$')) {
                continue; // part of a number (1e3), a duration (5m) or a variable ($queue)
            }
            if (KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT)) || isCall(text, identifier.end())) {
                continue;
            }
            names.add(name);
        }
        return names;
    }

    private static boolean isCall(String text, int end) {
        int i = end;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i < text.length() && text.charAt(i) == '(';
    }
}
