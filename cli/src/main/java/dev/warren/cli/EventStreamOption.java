package dev.warren.cli;

import dev.warren.events.EventsSettings;
import picocli.CommandLine.Option;

/** The {@code --events-stream} flag: the stream that keeps task events (docs/events.md). */
public final class EventStreamOption {

    @Option(names = "--events-stream", paramLabel = "NAME",
            defaultValue = "${env:WARREN_EVENTS_STREAM:-" + EventsSettings.DEFAULT_STREAM + "}",
            description = "Stream of task events (env WARREN_EVENTS_STREAM; default ${DEFAULT-VALUE}).")
    String stream;

    /** The stream's name. */
    public String stream() {
        return stream;
    }
}
