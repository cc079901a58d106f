package dev.warren.cli;

import picocli.CommandLine.Option;

/** The {@code --queue} flag every command shares. */
public final class QueueOption {

    @Option(names = "--queue", paramLabel = "NAME", defaultValue = "${env:WARREN_QUEUE:-task_queue}",
            description = "Work queue (env WARREN_QUEUE; default ${DEFAULT-VALUE}).")
    String queue;

    /** The queue name. */
    public String queue() {
        return queue;
    }
}
