package io.latentflow.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/** Assertions about loopback ports. */
final class Ports {

    private Ports() {
    }

    static void assertNothingListensOn(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            assertThat(socket.isConnected()).as("something still listens on 127.0.0.1:%d", port).isFalse();
        } catch (ConnectException expected) {
            // refused: the port is free
        } catch (IOException e) {
            throw new AssertionError("Unexpected failure probing 127.0.0.1:" + port, e);
        }
    }

    static int portOf(String hostPortOrUrl) {
        if (hostPortOrUrl.contains("://")) {
            return URI.create(hostPortOrUrl).getPort();
        }
        return Integer.parseInt(hostPortOrUrl.substring(hostPortOrUrl.lastIndexOf(':') + 1));
    }
}
