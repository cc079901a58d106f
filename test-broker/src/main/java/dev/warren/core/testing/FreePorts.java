package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for a private node, taken below the kernel's ephemeral port range.
 *
 * <p>A port is free when it is checked, and nothing reserves it until the node binds it, seconds
 * later. A port from {@code new ServerSocket(0)} lies in the ephemeral range, which the kernel
 * keeps handing out: to every other {@code bind} to port 0 (other JVMs picking free ports, every
 * Erlang VM's distribution listener, such as the {@code epmd-starter} VM each starting node
 * runs) and as the local port of outgoing connections. Below that range only a process that asks
 * for that very port can take it. A port that is taken anyway makes the start fail, and
 * {@link PrivateRabbitNode#start()} then retries once on fresh ports.
 */
final class FreePorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 20_000;
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    /** Fewer candidates than this below the ephemeral range: ask the kernel instead. */
    private static final int MIN_RANGE = 2_000;
    private static final int ATTEMPTS = 200;
    /** The shared broker's Erlang distribution port, free while that broker is down. */
    private static final int RABBITMQ_DIST_PORT = 25_672;
    // rabbitmqctl's own Erlang distribution listens in 35672-35682; keep node ports out of it.
    private static final int CLI_DIST_PORT_MIN = 35_672;
    private static final int CLI_DIST_PORT_MAX = 35_682;

    /** Ports this JVM has handed out, never handed out again: a node binds its ports late. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** Distinct ports that are free now and were not handed out before in this JVM. */
    static int[] distinct(int count) {
        int high = ephemeralLow() - 1;
        var ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = high - LOWEST + 1 >= MIN_RANGE ? belowEphemeralRange(high) : fromKernel();
        }
        return ports;
    }

    private static int belowEphemeralRange(int high) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, high + 1);
            if (candidate != RABBITMQ_DIST_PORT && isFree(candidate) && HANDED_OUT.add(candidate)) {
                return candidate;
            }
        }
        return fromKernel();
    }

    private static int fromKernel() {
        var sockets = new ArrayList<ServerSocket>();
        try {
            // Sockets stay open until a port is found, so the kernel hands out distinct ones.
            while (true) {
                var socket = new ServerSocket(0);
                sockets.add(socket);
                int candidate = socket.getLocalPort();
                if ((candidate < CLI_DIST_PORT_MIN || candidate > CLI_DIST_PORT_MAX) && HANDED_OUT.add(candidate)) {
                    return candidate;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports for a private RabbitMQ node", e);
        } finally {
            closeAll(sockets);
        }
    }

    /** Whether a listener could bind the port on every address (the distribution listens on all). */
    private static boolean isFree(int port) {
        try (var socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            // Not Files.readString: on this sysctl file it returns the first byte only.
            String[] range = Files.readAllLines(EPHEMERAL_RANGE).getFirst().trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }

    private static void closeAll(List<ServerSocket> sockets) {
        for (ServerSocket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing listens on it any more either way.
            }
        }
    }
}
