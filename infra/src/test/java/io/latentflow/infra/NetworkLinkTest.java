package io.latentflow.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A link to a real echo server: bytes flow, stop while it is held, and nothing gets through while it is cut. */
class NetworkLinkTest {

    private ServerSocket echo;
    private NetworkLink link;

    @BeforeEach
    void startEchoServer() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket client = echo.accept();
                    Thread connection = new Thread(() -> {
                        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                    connection.setDaemon(true);
                    connection.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        link = NetworkLink.to("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        link.close();
        echo.close();
    }

    @Test
    void bytesFlowThroughTheLink() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, 'a')).isEqualTo('a');
        }
    }

    @Test
    void aHeldLinkStopsBytesUntilItIsMended() throws IOException {
        try (Socket socket = connect()) {
            link.hold();
            socket.getOutputStream().write('b');
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            link.mend();

            assertThat(socket.getInputStream().read()).isEqualTo('b');
        }
    }

    @Test
    void aCutLinkResetsOpenConnectionsAndNewOnesUntilItIsMended() throws IOException {
        try (Socket open = connect()) {
            link.cut();
            assertThatThrownBy(() -> roundTrip(open, 'c')).isInstanceOf(IOException.class);
        }
        try (Socket late = connect()) {
            assertThatThrownBy(() -> roundTrip(late, 'd')).isInstanceOf(IOException.class);
        }

        link.mend();

        try (Socket again = connect()) {
            assertThat(roundTrip(again, 'e')).isEqualTo('e');
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), link.port());
        socket.setSoTimeout(1000);
        return socket;
    }

    /** Sends one byte and reads the echo; a closed or reset connection reads end-of-stream or throws. */
    private static int roundTrip(Socket socket, char c) throws IOException {
        socket.getOutputStream().write(c);
        socket.getOutputStream().flush();
        int echoed = socket.getInputStream().read();
        if (echoed < 0) {
            throw new IOException("connection closed");
        }
        return echoed;
    }
}
