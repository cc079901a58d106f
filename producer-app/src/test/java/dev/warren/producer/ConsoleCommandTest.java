package dev.warren.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warren.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code producer-app console}: its help and its refusal of bad settings (starting it is the console module's tests). */
class ConsoleCommandTest {

    @Test
    void helpNamesTheOptionsWithTheirDefaultsAndEnvironmentVariables() {
        StringWriter out = new StringWriter();
        CommandLine cli = ExitCodes.commandLine(new ProducerApp()).setOut(new PrintWriter(out, true));

        assertThat(cli.execute("console", "--help")).isZero();

        assertThat(out.toString().replaceAll("\\s+", " ")).contains("--port=PORT").contains("WARREN_CONSOLE_PORT; default 8080")
                .contains("--bind=ADDRESS").contains("WARREN_CONSOLE_BIND; default 127.0.0.1")
                .contains("--management-url=URL").contains("--[no-]behind-tls")
                .contains("--public-origin=URL").contains("env WARREN_CONSOLE_PUBLIC_ORIGIN").contains("--session-idle=DURATION")
                .contains("--uri=URI").contains("--events-stream=NAME")
                .contains("WARREN_EVENTS_STREAM; default warren.events").contains("docs/console.md");
    }

    @Test
    void portOutOfRangeExitsWith2NamingTheSetting() {
        assertThat(usageError("--port", "70000")).contains("console port must be between 0 and 65535, was 70000");
    }

    @Test
    void eventsStreamNotAllowedExitsWith2NamingTheFlag() {
        assertThat(usageError("--events-stream", "amq.events"))
                .contains("events stream (--events-stream) must be a non-empty name");
    }

    @Test
    void publicOriginWithAPathExitsWith2NamingTheFlag() {
        assertThat(usageError("--public-origin", "https://console.example/console"))
                .contains("console public origin (--public-origin) must be http:// or https://")
                .contains("was https://console.example/console");
    }

    /** What {@code console} with {@code args} prints to stderr, asserting it exits with the usage code. */
    private static String usageError(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = ExitCodes.commandLine(new ProducerApp()).setErr(new PrintWriter(err, true));
        String[] command = new String[args.length + 1];
        command[0] = "console";
        System.arraycopy(args, 0, command, 1, args.length);

        assertThat(cli.execute(command)).as("exit code").isEqualTo(ExitCodes.USAGE);
        return err.toString();
    }
}
