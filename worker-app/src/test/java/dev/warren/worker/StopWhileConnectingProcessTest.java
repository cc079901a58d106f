package dev.warren.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while a worker-app process still retries an unreachable broker at start ends the
 * retries: the worker exits 0 (it consumed nothing) well before its startup timeout, so
 * Kubernetes' grace period (30 s, below the default startup timeout of 60 s) never ends in SIGKILL.
 */
class StopWhileConnectingProcessTest {

    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path directory;

    @Test
    void sigtermWhileTheBrokerIsRetriedAtStartExitsZeroBeforeTheStartupTimeout() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (WorkerProcess worker = WorkerProcess.start(directory, "stop-while-connecting", "--demo",
                "--uri", "amqp://guest:guest@127.0.0.1:" + closedPort + "/", "--queue", "stop-while-connecting",
                "--startup-timeout", STARTUP_TIMEOUT.toSeconds() + "s")) {
            worker.awaitLog("not reachable", Duration.ofSeconds(60));

            worker.terminate();

            // Half the startup timeout: without the stop ending the retries, the worker would still retry then.
            assertThat(worker.awaitExit(STARTUP_TIMEOUT.dividedBy(2))).as("exit code; output:%n%s", worker.log()).isZero();
            assertThat(worker.log()).contains("stop requested before the worker was consuming")
                    .doesNotContain("cannot connect to").doesNotContain("error:");
        }
    }
}
