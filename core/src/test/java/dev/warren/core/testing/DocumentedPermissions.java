package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The permissions that {@code docs/reliability.md} ("Least privilege") documents for each role,
 * read from its {@code rabbitmqctl set_permissions -p warren USER 'CONFIGURE' 'WRITE' 'READ'}
 * lines, so that least-privilege tests grant exactly what the docs tell operators to grant.
 * The docs write them for the queue {@code task_queue}; {@link #forQueue} adapts them to another.
 *
 * @param user      the documented user, e.g. {@code warren-worker}
 * @param configure the configure regexp
 * @param write     the write regexp
 * @param read      the read regexp
 */
public record DocumentedPermissions(String user, String configure, String write, String read) {

    /** The queue the documentation's regexps are written for. */
    public static final String DOCUMENTED_QUEUE = "task_queue";
    private static final Pattern LINE = Pattern.compile(
            "^rabbitmqctl set_permissions -p warren (\\S+) '([^']*)' '([^']*)' '([^']*)'\\s*$", Pattern.MULTILINE);

    /**
     * Every documented role, by user name, from {@code docs/reliability.md} found upwards from the
     * working directory.
     *
     * @throws IllegalStateException if the file or its {@code set_permissions} lines are missing
     */
    public static Map<String, DocumentedPermissions> all() {
        Path file = reliabilityDoc();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, DocumentedPermissions> roles = new LinkedHashMap<>();
        Matcher matcher = LINE.matcher(text);
        while (matcher.find()) {
            roles.put(matcher.group(1), new DocumentedPermissions(matcher.group(1), matcher.group(2), matcher.group(3),
                    matcher.group(4)));
        }
        if (roles.isEmpty()) {
            throw new IllegalStateException(file + " has no 'rabbitmqctl set_permissions -p warren ...' lines");
        }
        return roles;
    }

    /** The documented permissions of {@code user}. */
    public static DocumentedPermissions of(String user) {
        DocumentedPermissions role = all().get(user);
        if (role == null) {
            throw new IllegalStateException("docs/reliability.md documents no permissions for user " + user
                    + "; it has " + all().keySet());
        }
        return role;
    }

    /** The same permissions for work queue {@code queue} instead of {@value #DOCUMENTED_QUEUE}. */
    public DocumentedPermissions forQueue(String queue) {
        String quoted = regexQuote(queue);
        return new DocumentedPermissions(user, configure.replace(DOCUMENTED_QUEUE, quoted),
                write.replace(DOCUMENTED_QUEUE, quoted), read.replace(DOCUMENTED_QUEUE, quoted));
    }

    /** Grants these permissions to {@link #user} in {@code vhost}. */
    public void grant(BrokerAccess access, String vhost) {
        access.setPermissions(vhost, user, configure, write, read);
    }

    /** Escapes regular-expression characters, as the docs tell operators to: {@code a.b} becomes {@code a\.b}. */
    static String regexQuote(String text) {
        StringBuilder quoted = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.toString();
    }

    private static Path reliabilityDoc() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("docs/reliability.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no docs/reliability.md above " + Path.of("").toAbsolutePath());
    }
}
