package io.latentflow.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP link on a free loopback port to a real server, that a fault test can cut (every connection is reset and new
 * ones are reset as they arrive: the server is unreachable), hold (bytes stop flowing both ways: the server hangs)
 * and mend. Clients are given the link's address instead of the server's; the server itself runs unchanged, which is
 * what makes an outage of a server that must keep its address and credentials (S3Proxy) testable, at any moment.
 */
public final class NetworkLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkLink.class);
    private static final int BUFFER_BYTES = 64 * 1024;

    private enum Mode { FLOWING, HELD, CUT }

    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object modeChanged = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Mode mode = Mode.FLOWING;

    private NetworkLink(ServerSocket listener, InetSocketAddress server) {
        this.listener = listener;
        this.server = server;
    }

    /** Starts a link to {@code host:port}, flowing. */
    public static NetworkLink to(String host, int port) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            NetworkLink link = new NetworkLink(listener, new InetSocketAddress(host, port));
            daemon("link-accept-" + listener.getLocalPort(), link::acceptLoop).start();
            return link;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open a link to " + host + ":" + port, e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Resets every connection and every new one until {@link #mend}: the server is unreachable. */
    public void cut() {
        setMode(Mode.CUT);
        for (Socket socket : sockets) {
            reset(socket);
        }
        LOG.info("link {} -> {} cut", port(), server);
    }

    /** Stops every byte, both ways, on old and new connections until {@link #mend}: the server hangs. */
    public void hold() {
        setMode(Mode.HELD);
        LOG.info("link {} -> {} held", port(), server);
    }

    /** Lets bytes flow again; connections cut before stay cut (the clients reconnect). */
    public void mend() {
        setMode(Mode.FLOWING);
        LOG.info("link {} -> {} mended", port(), server);
    }

    private void setMode(Mode next) {
        synchronized (modeChanged) {
            mode = next;
            modeChanged.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.warn("link {} stopped accepting: {}", port(), e.getMessage());
                }
                return;
            }
            if (mode == Mode.CUT) {
                reset(client);
                continue;
            }
            try {
                Socket upstream = new Socket(server.getAddress(), server.getPort());
                sockets.add(client);
                sockets.add(upstream);
                daemon("link-up-" + client.getPort(), () -> pipe(client, upstream)).start();
                daemon("link-down-" + client.getPort(), () -> pipe(upstream, client)).start();
            } catch (IOException e) {
                reset(client); // the server itself is down: the client sees what it would see without the link
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!awaitFlowing()) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side closed or was reset: end both
        } finally {
            close(from);
            close(to);
        }
    }

    /** Waits while the link is held; false when it is cut or closed meanwhile. */
    private boolean awaitFlowing() {
        synchronized (modeChanged) {
            while (mode == Mode.HELD && !closed.get()) {
                try {
                    modeChanged.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return mode == Mode.FLOWING && !closed.get();
        }
    }

    /** Closes with a TCP reset rather than an orderly end, the way a dead peer or a firewall looks. */
    private void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        close(socket);
    }

    private void close(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Stops accepting and closes every connection; calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        setMode(Mode.CUT);
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing is all that was wanted
        }
        for (Socket socket : sockets) {
            close(socket);
        }
    }
}
