package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Answers encoded by the server itself ({@link HttpCodec.Encoded}) and answers through Netty's
 * encoder alternate on one keep-alive connection with the right framing: a HEAD answer has the
 * Content-Length of its GET and no body, and the next request on the connection is answered whole.
 */
class HttpCodecTest {
    private record Answer(int code, String head, String body) {
    }

    private static Answer exchange(Socket socket, String method, String path, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        String request = method + " " + path + " HTTP/1.1\r\nHost: test\r\n"
                + (json == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of the answer's head");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        String lower = text.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        String answerBody = method.equals("HEAD") ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return new Answer(Integer.parseInt(text.substring(9, 12)), text, answerBody);
    }

    private static int contentLength(Answer answer) {
        String lower = answer.head().toLowerCase(Locale.ROOT);
        int at = lower.indexOf("content-length:");
        return Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
    }

    @Test
    void headAndGetAlternateOnOneConnection() throws Exception {
        try (Fixture api = new Fixture(); Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(10_000);
            assertEquals(201, exchange(socket, "POST", Fixture.POOLS, Fixture.pool("pool", "10.0.0.0/16", "IPv4")).code());
            Answer created = exchange(socket, "POST", Fixture.CLAIMS, Fixture.claim("c1", "pool", 24));
            assertEquals(201, created.code());
            assertTrue(created.head().startsWith("HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n"), created.head());
            assertEquals(created.body().getBytes(StandardCharsets.UTF_8).length, contentLength(created));

            Answer head = exchange(socket, "HEAD", Fixture.CLAIMS + "/c1", null);
            Answer get = exchange(socket, "GET", Fixture.CLAIMS + "/c1", null);
            assertEquals(200, head.code());
            assertEquals(200, get.code());
            assertEquals(contentLength(get), contentLength(head));
            assertEquals(head.head(), get.head());
            assertTrue(get.body().contains("\"name\":\"c1\""), get.body());

            Answer missingHead = exchange(socket, "HEAD", Fixture.CLAIMS + "/nope", null);
            Answer missing = exchange(socket, "GET", Fixture.CLAIMS + "/nope", null);
            assertEquals(404, missingHead.code());
            assertEquals(contentLength(missing), contentLength(missingHead));
            assertTrue(missing.body().contains("\"reason\":\"NotFound\""), missing.body());

            // A redirect goes through Netty's encoder; the connection stays in step after it.
            Answer redirect = exchange(socket, "GET", "/console", null);
            assertEquals(301, redirect.code());
            assertEquals(200, exchange(socket, "GET", "/healthz", null).code());
            assertEquals(get.body(), exchange(socket, "GET", Fixture.CLAIMS + "/c1", null).body());
        }
    }
}
