package dev.warren.cli;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Option;

/**
 * Treats an empty environment variable as unset for options whose default is
 * {@code ${env:NAME}} or {@code ${env:NAME:-fallback}}: picocli would pass the empty string on
 * (and reject it for a number or a duration), while docker-compose and Kubernetes manifests set
 * variables to nothing to mean "not given". Such an option gets its fallback, or no value.
 * Other options, and variables with a value, keep picocli's own default.
 */
final class EmptyEnvironment implements CommandLine.IDefaultValueProvider {

    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)(?::-(.*))?}");

    private final Map<String, String> env;

    EmptyEnvironment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (!(argument.userObject() instanceof AnnotatedElement element)) {
            return null;
        }
        Option option = element.getAnnotation(Option.class);
        Matcher matcher = option == null ? null : ENV_DEFAULT.matcher(option.defaultValue());
        if (matcher == null || !matcher.matches() || !"".equals(env.get(matcher.group(1)))) {
            return null; // picocli's own default: the variable's value, or the fallback when it is unset
        }
        return matcher.group(2) != null ? matcher.group(2) : Option.NULL_VALUE;
    }
}
