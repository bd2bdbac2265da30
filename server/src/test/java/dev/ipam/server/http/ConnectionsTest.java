package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Connection-level limits over raw sockets: the connection count, idle connections, keep-alive. */
class ConnectionsTest {
    private static Socket connect(Fixture api) throws IOException {
        Socket socket = new Socket("127.0.0.1", api.server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads until the server closes the connection (-1) or the timeout; true when it closed. */
    private static boolean closedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int i = 0; i < 1000; i++) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String request(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        String text = head.toString();
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length: ");
        int length = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)).trim());
        byte[] body = in.readNBytes(length);
        return text.substring(0, text.indexOf("\r\n")) + " " + new String(body, StandardCharsets.UTF_8);
    }

    @Test
    void connectionsOverTheLimitAreClosed() throws Exception {
        try (Fixture api = new Fixture(ApiConfig.defaults(0).withConnectionsMax(2));
             Socket first = connect(api); Socket second = connect(api)) {
            assertTrue(request(first, "/healthz").startsWith("HTTP/1.1 200"));
            assertTrue(request(second, "/healthz").startsWith("HTTP/1.1 200"));
            try (Socket third = connect(api)) {
                assertTrue(closedByServer(third), "the third connection is closed");
            }
            // Keep-alive: the first connection still serves a second request.
            assertTrue(request(first, "/readyz").startsWith("HTTP/1.1 200 OK ok"));
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        try (Fixture api = new Fixture(ApiConfig.defaults(0).withIdleTimeoutMs(1000)); Socket socket = connect(api)) {
            assertEquals("HTTP/1.1 200 OK ok", request(socket, "/healthz"));
            assertTrue(closedByServer(socket), "closed after a second without a request");
        }
    }
}
