package dev.warren.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds and kills the OS processes of one private node. The node is started with a marker
 * variable in its environment, which its Erlang VM and that VM's helpers inherit. Unlike the pid
 * file, the marker is never stale (a reused pid cannot match) and it also finds a node that died
 * or hung before writing its pid file. The Erlang VM's command line names neither the node nor
 * its directory, so it cannot serve. Reads {@code /proc}, so Linux only.
 */
final class NodeProcesses {

    private static final String MARKER = "WARREN_TEST_RABBIT_NODE";

    private final String nodeName;
    private final byte[] framedMarker;

    NodeProcesses(String nodeName) {
        this.nodeName = nodeName;
        this.framedMarker = ("\0" + MARKER + "=" + nodeName + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** The variable to add to the environment of the command that starts the node. */
    Map<String, String> marker() {
        return Map.of(MARKER, nodeName);
    }

    /** The live processes carrying the marker. */
    List<ProcessHandle> list() {
        return ProcessHandle.allProcesses().filter(this::isMarked).toList();
    }

    /** SIGKILLs every marked process and waits for each to exit. */
    void killAll(Duration timeout) {
        List<ProcessHandle> processes = list();
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalStateException("process " + process.pid() + " of node " + nodeName
                        + " did not exit within " + timeout + " of SIGKILL", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while killing node " + nodeName, e);
            }
        }
    }

    private boolean isMarked(ProcessHandle process) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "environ"));
        } catch (IOException e) {
            return false; // gone meanwhile, or not ours to read: not this node's either way
        }
        // Frame the NUL-separated variables in NULs so the first and last match like the others.
        byte[] framed = new byte[environ.length + 2];
        System.arraycopy(environ, 0, framed, 1, environ.length);
        outer:
        for (int i = 0; i <= framed.length - framedMarker.length; i++) {
            for (int j = 0; j < framedMarker.length; j++) {
                if (framed[i + j] != framedMarker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
