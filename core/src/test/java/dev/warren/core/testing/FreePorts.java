package dev.warren.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;

/** Free TCP ports for a private node. */
final class FreePorts {

    // rabbitmqctl's own Erlang distribution listens in 35672-35682; keep node ports out of it.
    private static final int CLI_DIST_PORT_MIN = 35672;
    private static final int CLI_DIST_PORT_MAX = 35682;

    private FreePorts() {
    }

    /**
     * Distinct ports that are free now, outside rabbitmqctl's range. Another process may take
     * one before the node binds it; with ports from the kernel's ephemeral range that is rare.
     */
    static int[] distinct(int count) {
        var sockets = new ArrayList<ServerSocket>();
        var ports = new int[count];
        try {
            int found = 0;
            // Sockets stay open until all ports are found, so the kernel hands out distinct ones.
            while (found < count) {
                var socket = new ServerSocket(0);
                sockets.add(socket);
                int candidate = socket.getLocalPort();
                if (candidate < CLI_DIST_PORT_MIN || candidate > CLI_DIST_PORT_MAX) {
                    ports[found++] = candidate;
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports for a private RabbitMQ node", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Nothing listens on it any more either way.
                }
            }
        }
    }
}
