package dev.warren.worker;

import dev.warren.cli.ExitCodes;

/** Entry point of {@code worker-app.jar}. */
public final class WorkerApp {

    private WorkerApp() {
    }

    public static void main(String[] args) {
        // Before Guice loads: no runtime bytecode generation (Warren uses no AOP), which also
        // avoids sun.misc.Unsafe warnings on JDK 24+.
        System.setProperty("guice_bytecode_gen_option", "DISABLED");
        WorkerCommand command = new WorkerCommand();
        StopSignals.onTermOrInt(command::requestStop);
        System.exit(ExitCodes.commandLine(command).execute(args));
    }
}
