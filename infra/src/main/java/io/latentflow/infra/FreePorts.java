package io.latentflow.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free loopback ports, for servers that must know their ports before they start. */
public final class FreePorts {

    private FreePorts() {
    }

    /** {@code count} distinct ports that were free a moment ago; a racing process could still take one. */
    public static int[] pick(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            // Held open together so the kernel cannot hand out the same port twice.
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free loopback port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the port is released either way
                }
            }
        }
    }
}
