package dev.warren.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds and kills the OS processes of one private node. The node is started with a marker
 * variable in its environment, which its Erlang VM and that VM's helpers inherit. Unlike the pid
 * file, the marker is never stale (a reused pid cannot match) and it also finds a node that died
 * or hung before writing its pid file. The Erlang VM's command line names neither the node nor
 * its directory, so it cannot serve. Reads {@code /proc}, so Linux only.
 *
 * <p>One listing can miss a live node. A listing is a snapshot of the process ids followed by a
 * read of each one's environment. Just after {@code rabbitmq-server -detached} returns, erlexec's
 * double fork may still be going on: the snapshot holds only the intermediate process, which
 * forks the Erlang VM and exits before its environment is read, and the VM came too late for the
 * snapshot. The listing is then empty while the node boots. That is why {@link #confirmedGone()}
 * and {@link #killAll} look several times.
 */
final class NodeProcesses {

    private static final String MARKER = "WARREN_TEST_RABBIT_NODE";
    /**
     * Empty listings in a row that prove the node gone. Each listing starts after the previous
     * one ended, so a process that forked and exited during one is seen through its child in the
     * next; erlexec forks twice and an exec may hide a process for an instant, hence three.
     */
    private static final int EMPTY_LISTINGS = 3;
    private static final Duration BETWEEN_LISTINGS = Duration.ofMillis(50);
    private static final Duration EXIT_POLL = Duration.ofMillis(20);

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

    /**
     * The live processes carrying the marker, as one listing sees them: it may miss a node that
     * is forking (see the class comment), so an empty list alone does not mean the node is gone.
     */
    List<ProcessHandle> list() {
        return ProcessHandle.allProcesses().filter(this::isMarked).filter(p -> !isDead(p)).toList();
    }

    /**
     * Whether the node has no process left, by several listings that all come back empty. Returns
     * false at once when the first listing finds a process, so polling with it costs one listing.
     */
    boolean confirmedGone() {
        for (int i = 0; i < EMPTY_LISTINGS; i++) {
            if (i > 0) {
                sleep(BETWEEN_LISTINGS);
            }
            if (!list().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * SIGKILLs every marked process, again for processes that appear meanwhile (a node that is
     * still forking), until {@link #confirmedGone()}; a killed process counts as gone once it is
     * a zombie, which holds neither ports nor files.
     *
     * @throws IllegalStateException if processes are left after the timeout
     */
    void killAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ProcessHandle> processes = list();
            if (processes.isEmpty() && confirmedGone()) {
                return;
            }
            processes.forEach(ProcessHandle::destroyForcibly);
            List<ProcessHandle> left = new ArrayList<>(processes);
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                sleep(EXIT_POLL);
                left.removeIf(NodeProcesses::isDead);
            }
            if (System.nanoTime() >= deadline) {
                List<ProcessHandle> alive = list();
                if (!alive.isEmpty()) {
                    throw new IllegalStateException("processes " + alive.stream().map(ProcessHandle::pid).toList()
                            + " of node " + nodeName + " are still alive " + timeout + " after SIGKILL");
                }
                return;
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

    /**
     * Exited, or a zombie that its parent has not reaped yet. (ProcessHandle.onExit() of a process
     * that is not our child polls every 300 ms and more, and waits for the reaping.)
     */
    private static boolean isDead(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            // "pid (command) state ...": the command may hold spaces and parentheses.
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while watching the processes of node " + nodeName, e);
        }
    }
}
