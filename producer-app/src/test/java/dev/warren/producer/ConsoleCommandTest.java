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
                .contains("--management-url=URL").contains("--[no-]behind-tls").contains("--session-idle=DURATION")
                .contains("--uri=URI").contains("--events-stream=NAME")
                .contains("WARREN_EVENTS_STREAM; default warren.events").contains("docs/console.md");
    }

    @Test
    void portOutOfRangeExitsWith2NamingTheSetting() {
        StringWriter err = new StringWriter();
        CommandLine cli = ExitCodes.commandLine(new ProducerApp()).setErr(new PrintWriter(err, true));

        int code = cli.execute("console", "--port", "70000");

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("console port must be between 0 and 65535, was 70000");
    }

    @Test
    void eventsStreamNotAllowedExitsWith2NamingTheFlag() {
        StringWriter err = new StringWriter();
        CommandLine cli = ExitCodes.commandLine(new ProducerApp()).setErr(new PrintWriter(err, true));

        int code = cli.execute("console", "--events-stream", "amq.events");

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("events stream (--events-stream) must be a non-empty name");
    }
}
