package dev.warren.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pika script runs with the system's python3 and pika; it fails the test when it fails, hangs or is missing. */
class PikaScriptTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @Test
    void runReturnsWhatTheScriptPrintedWithPikaImported() throws Exception {
        Path script = script("prints.py", "import sys", "import pika", "print('pika', pika.__version__)",
                "print(' '.join(sys.argv[1:]))");

        String stdout = PikaScript.run(directory, script, TIMEOUT, "--queue", "q");

        assertThat(stdout.lines().toList()).hasSize(2).endsWith("--queue q");
        assertThat(stdout).startsWith("pika ");
    }

    @Test
    void aScriptThatExitsWithAnErrorFailsTheRunShowingItsStderr() throws Exception {
        Path script = script("fails.py", "import sys", "sys.stderr.write('no route to the broker\\n')", "sys.exit(3)");

        assertThatThrownBy(() -> PikaScript.run(directory, script, TIMEOUT))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("(exit 3)")
                .hasMessageContaining("no route to the broker");
    }

    @Test
    void aScriptStillRunningAtTheTimeoutFailsAndIsKilledOnClose() throws Exception {
        Path script = script("hangs.py", "import time", "print('waiting', flush=True)", "time.sleep(600)");

        PikaScript hanging = PikaScript.start(directory, script);
        try (hanging) {
            assertThatThrownBy(() -> hanging.awaitExit(Duration.ofMillis(500)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("(running)")
                    .hasMessageContaining("did not finish within PT0.5S");
        }
        assertThat(hanging.isAlive()).isFalse();
    }

    @Test
    void aMissingScriptFailsSayingWhich() {
        Path missing = directory.resolve("absent.py");

        assertThatThrownBy(() -> PikaScript.start(directory, missing))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> PikaScript.resource("interop/absent.py"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("interop/absent.py");
    }

    private Path script(String name, String... lines) throws Exception {
        return Files.write(directory.resolve(name), List.of(lines));
    }
}
