package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A request refused before its body was read still gets its answer: the client can finish sending
 * (the server reads and drops the rest) and then read the refusal, instead of a broken pipe or a reset.
 */
class LingeringCloseTest {
    private static final int BODY_BYTES = 4 * 1024 * 1024;

    /** Sends the head and a large body in full, then reads everything the server answered. */
    private static String send(int port, String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[16 * 1024];
            java.util.Arrays.fill(chunk, (byte) '[');
            for (int sent = 0; sent < BODY_BYTES; sent += chunk.length) {
                out.write(chunk); // a reset here is the bug: the answer would be lost
            }
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aMalformedHeaderIsAnsweredWhileTheBodyIsStillComing() throws Exception {
        try (Fixture api = new Fixture(ApiConfig.defaults(0))) {
            String answer = send(api.server.port(), "PATCH /apis/ipam.miloapis.com/v1alpha1/ipclaims HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nX bad header: 1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + BODY_BYTES + "\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        }
    }

    @Test
    void aBodyOverTheLimitIsAnsweredWith413() throws Exception {
        try (Fixture api = new Fixture(ApiConfig.defaults(0).withBodyBytesMax(1024))) {
            String answer = send(api.server.port(), "POST /apis/ipam.miloapis.com/v1alpha1/ipclaims HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        }
    }
}
