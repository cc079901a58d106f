package dev.warren.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free loopback port in front of one broker port, for network faults that a
 * broker cannot produce by itself: connections cut without a {@code connection.close}, and
 * connections that stay open but carry nothing (a dead NAT entry, a hung switch).
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start(node.port())) {
 *     // clients connect to proxy.uri() instead of node.amqpUri()
 *     proxy.cutAll();          // every client sees its socket reset
 *     proxy.stall();           // bytes stop flowing both ways; sockets stay open
 *     proxy.resume();
 * }
 * }</pre>
 *
 * <p>Each accepted connection gets a socket to the target and two pump threads (one per
 * direction), which is plenty for the handful of connections of a fault test. While stalled, the
 * pumps hold what they read instead of writing it, and new connections are accepted but stalled
 * too, so TCP back-pressure stops both peers and only heartbeats can tell that the connection is
 * dead. A peer that closes its side closes the pair. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);
    private static final int BUFFER_BYTES = 16 * 1024;

    private final int targetPort;
    private final ServerSocket server;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong cut = new AtomicLong();
    /** Guards {@link #stalled}; pumps wait on it while stalled. */
    private final Object gate = new Object();
    private boolean stalled;
    private volatile boolean closed;

    private TcpProxy(int targetPort, ServerSocket server) {
        this.targetPort = targetPort;
        this.server = server;
    }

    /** Listens on a free port of 127.0.0.1 and forwards every connection to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy start(int targetPort) {
        ServerSocket server;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on a loopback port", e);
        }
        TcpProxy proxy = new TcpProxy(targetPort, server);
        Thread.ofPlatform().daemon().name("tcp-proxy-accept-" + proxy.port()).start(proxy::acceptLoop);
        log.info("TCP proxy on 127.0.0.1:{} forwards to 127.0.0.1:{}", proxy.port(), targetPort);
        return proxy;
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code amqp://guest:guest@127.0.0.1:<port>/}: a private node's URI, through this proxy. */
    public String amqpUri() {
        return "amqp://guest:guest@127.0.0.1:" + port() + "/%2F";
    }

    /** Connections open through the proxy right now. */
    public int connections() {
        return pairs.size();
    }

    /** Connections accepted since the start. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections cut by {@link #cutAll()} since the start. */
    public long cut() {
        return cut.get();
    }

    /**
     * Cuts every open connection: both sockets are reset (RST, no FIN, no AMQP close), as a
     * dropped link or a restarted firewall would. New connections are accepted as before.
     *
     * @return how many connections were cut
     */
    public int cutAll() {
        List<Pair> open = List.copyOf(pairs);
        pairs.removeAll(open);
        open.forEach(Pair::reset);
        cut.addAndGet(open.size());
        log.info("TCP proxy {}: cut {} connection(s)", port(), open.size());
        return open.size();
    }

    /**
     * Stops forwarding bytes in both directions on every connection, current and new, without
     * closing anything: peers see silence, not an error.
     */
    public void stall() {
        synchronized (gate) {
            stalled = true;
        }
        log.info("TCP proxy {}: stalled {} connection(s)", port(), pairs.size());
    }

    /** Forwards again what {@link #stall()} held back, and everything after it. */
    public void resume() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
        log.info("TCP proxy {}: forwarding again ({} connection(s) open)", port(), pairs.size());
    }

    /** Stops listening and resets every connection. */
    @Override
    public void close() {
        closed = true;
        resume();
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the proxy's server socket failed", e);
        }
        List.copyOf(pairs).forEach(Pair::reset);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("TCP proxy {} stopped accepting: {}", port(), e.toString());
                }
                return;
            }
            accepted.incrementAndGet();
            Socket target = new Socket();
            try {
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
            } catch (IOException e) {
                // The broker is down: the client sees its connection refused, as it would without us.
                log.info("TCP proxy {}: target port {} refused ({}); resetting the client", port(), targetPort,
                        e.toString());
                new Pair(client, target).reset();
                continue;
            }
            Pair pair = new Pair(client, target);
            pairs.add(pair);
            String name = "tcp-proxy-" + port() + "-" + client.getPort();
            Thread.ofPlatform().daemon().name(name + "-up").start(() -> pump(pair, client, target));
            Thread.ofPlatform().daemon().name(name + "-down").start(() -> pump(pair, target, client));
        }
    }

    /** Copies {@code from} to {@code to} until either side ends, holding the bytes while stalled. */
    private void pump(Pair pair, Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitForwarding();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (SocketException e) {
            // Reset by a peer, by cutAll() or by the other pump closing the pair: the usual end.
        } catch (IOException e) {
            log.debug("TCP proxy {}: pump ended", port(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pair.close();
            pairs.remove(pair);
        }
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (stalled && !closed) {
                gate.wait();
            }
        }
    }

    /** A client socket and its socket to the target. */
    private record Pair(Socket client, Socket target) {

        /** Closes both at once with RST: no FIN, the peers see "connection reset". */
        void reset() {
            for (Socket socket : List.of(client, target)) {
                try {
                    socket.setSoLinger(true, 0);
                } catch (SocketException e) {
                    // Already closed.
                }
            }
            close();
        }

        void close() {
            closeQuietly(client);
            closeQuietly(target);
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing left to do.
            }
        }
    }
}
