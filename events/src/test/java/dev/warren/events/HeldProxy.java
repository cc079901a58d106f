package dev.warren.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free loopback port that accepts connections at once but forwards nothing until
 * {@link #release()}: a client connecting through it waits in its handshake as long as the test
 * likes, then connects for real. Counts the connections it accepted and those their client closed.
 * For a handful of connections: two threads each.
 */
final class HeldProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();

    private HeldProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("held-proxy-accept").start(this::accept);
    }

    /** Listens on a free port of 127.0.0.1 and, once released, forwards to {@code targetHost:targetPort}. */
    static HeldProxy to(String targetHost, int targetPort) throws IOException {
        return new HeldProxy(targetHost, targetPort);
    }

    /** {@code amqpUri} (with credentials and vhost) through this proxy. */
    String uri(String amqpUri) {
        URI uri = URI.create(amqpUri);
        return uri.getScheme() + "://" + uri.getRawUserInfo() + "@127.0.0.1:" + server.getLocalPort() + uri.getRawPath();
    }

    /** Starts forwarding, for the connections held so far and every later one. */
    void release() {
        released.countDown();
    }

    int accepted() {
        return accepted.get();
    }

    /** Connections whose client closed its socket. */
    int closedByClient() {
        return closedByClient.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                Thread.ofPlatform().daemon().name("held-proxy-up").start(() -> forward(client));
            } catch (IOException e) {
                return;     // closed
            }
        }
    }

    private void forward(Socket client) {
        try (client) {
            released.await();
            forward(client, new Socket(targetHost, targetPort));
        } catch (IOException e) {
            // the target is unreachable: the client sees its socket closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(Socket client, Socket target) throws IOException, InterruptedException {
        try (target) {
            Thread down = Thread.ofPlatform().daemon().name("held-proxy-down")
                    .start(() -> pump(target, client));
            if (pump(client, target)) {
                closedByClient.incrementAndGet();
            }
            down.join(1000);
        }
    }

    /** Copies until {@code from} ends, then shuts {@code to}'s output; false when either side failed first. */
    private static boolean pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
            return true;
        } catch (IOException e) {
            return false;   // the pair is going away
        }
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
    }
}
