package dev.warren.producer;

import dev.warren.cli.ExitCodes;
import picocli.CommandLine.Command;

/** Entry point of {@code producer-app.jar}: sends tasks and inspects queues. */
@Command(name = "producer-app", mixinStandardHelpOptions = true, version = "Warren producer 0.1.0",
        subcommands = {SendCommand.class, StatusCommand.class, DlqCommand.class, SchedulesCommand.class,
            dev.warren.producer.load.LoadCommand.class, ConsoleCommand.class, EventsCommand.class},
        description = {"Sends Warren tasks to RabbitMQ (one, or a load), shows queue status, manages the dead-letter queue,",
            "lists schedules and prints task events.",
            "Exit codes: 0 ok, 2 bad usage, 3 broker unreachable or access refused, 5 not delivered (nack, unroutable,"
                + " timeout)."})
public final class ProducerApp implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Before Guice loads: no runtime bytecode generation (Warren uses no AOP), which also
        // avoids sun.misc.Unsafe warnings on JDK 24+.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        System.exit(ExitCodes.commandLine(new ProducerApp()).execute(args));
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "name a command: send, load, status, dlq, schedules, console or events");
    }
}
