package dev.warren.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What a node left behind on one start attempt, read from where the attempt began: the first
 * error lines and the tail of its own log ({@code RABBITMQ_LOG_BASE}), the {@code Slogan:} of its
 * crash dump and what {@code rabbitmq-server -detached} printed. A node that dies in the
 * prelaunch phase (a taken distribution port, a bad config line) has no log yet: its crash dump
 * says why. A node that dies later (a taken AMQP or management port) logs the cause as its first
 * error and ends its log with the shutdown that followed, so the tail alone would not say why.
 */
final class NodeEvidence {

    private static final int ERROR_LINES = 12;
    private static final int MAX_LINE = 400;
    private static final List<String> ERROR_LEVELS = List.of("[error]", "[critical]", "[alert]", "[emergency]");

    private final String slogan;
    private final List<String> errors;
    private final String logTail;
    private final String serverOutput;
    private final Path log;
    private final Path crashDump;

    private NodeEvidence(String slogan, List<String> errors, String logTail, String serverOutput, Path log,
            Path crashDump) {
        this.slogan = slogan;
        this.errors = errors;
        this.logTail = logTail;
        this.serverOutput = serverOutput;
        this.log = log;
        this.crashDump = crashDump;
    }

    /** Where an attempt begins in the files that outlive it: the log and the -detached output. */
    record Mark(long logSize, long serverOutputSize) {
    }

    /** Call before the attempt starts the node. */
    static Mark mark(NodeDirectory directory) {
        return new Mark(size(directory.nodeLog()), size(directory.serverOutput()));
    }

    /** Reads what the attempt left; call once its processes are gone, so the log is complete. */
    static NodeEvidence collect(NodeDirectory directory, Mark mark) {
        String logText = readFrom(directory.nodeLog(), mark.logSize());
        List<String> logLines = logText.lines().toList();
        List<String> errors = logLines.stream()
                .filter(line -> ERROR_LEVELS.stream().anyMatch(line::contains))
                .limit(ERROR_LINES)
                .map(NodeEvidence::shorten)
                .toList();
        return new NodeEvidence(readSlogan(directory.crashDump()), errors, ExternalCommand.tail(logText),
                readFrom(directory.serverOutput(), mark.serverOutputSize()).strip(), directory.nodeLog(),
                directory.crashDump());
    }

    /** Whether the node's own files say why it failed, so that a foreground run would add nothing. */
    boolean explainsFailure() {
        return slogan != null || !errors.isEmpty();
    }

    /**
     * A failure that a retry cannot fix: the prelaunch phase rejected this node's configuration
     * files ({@code failed_to_prepare_configuration}, {@code failed_to_read_advanced_configuration_file}).
     * Only the crash slogan counts: the log of a node that got further may mention configuration
     * for other reasons.
     */
    boolean isConfigurationError() {
        return slogan != null && slogan.contains("configuration");
    }

    /** One line for a log message: the crash slogan, else the first error line. */
    String summary() {
        if (slogan != null) {
            return slogan;
        }
        if (!errors.isEmpty()) {
            return errors.getFirst();
        }
        return "no crash dump, no error in " + log.getFileName();
    }

    /** Whether the cause was a port that another process had taken. */
    boolean isPortTaken() {
        String text = ((slogan == null ? "" : slogan) + String.join("\n", errors)).toLowerCase(Locale.ROOT);
        return text.contains("eaddrinuse") || text.contains("dist_port_already_used");
    }

    /** For a failure message: the crash slogan, the first errors, the log's tail, the -detached output. */
    String describe() {
        var text = new StringBuilder();
        if (slogan != null) {
            text.append("\n--- ").append(crashDump).append(" ---\n").append(slogan);
        }
        if (!errors.isEmpty()) {
            text.append("\n--- first errors in ").append(log).append(" ---\n").append(String.join("\n", errors));
        }
        text.append("\n--- ").append(log).append(" ---\n").append(logTail.isBlank() ? "(nothing logged)" : logTail);
        if (!serverOutput.isEmpty()) {
            text.append("\n--- rabbitmq-server -detached output ---\n").append(ExternalCommand.excerpt(serverOutput));
        }
        return text.toString();
    }

    private static String readSlogan(Path crashDump) {
        try (Stream<String> lines = Files.lines(crashDump, StandardCharsets.ISO_8859_1)) {
            return lines.limit(20).filter(line -> line.startsWith("Slogan:")).findFirst()
                    .map(NodeEvidence::shorten).orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    private static String shorten(String line) {
        return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + " ...";
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readFrom(Path file, long offset) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int from = (int) Math.min(offset, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
