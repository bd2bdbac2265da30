package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load generator's HTTP/1.1 client: what it writes, and the responses it reads back. */
class LoadGenHttpTest {
    private static final String CREATED = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n"
            + "{\"kind\":\"x\"}\n";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";

    /** Records each write call separately. */
    private static final class Writes extends OutputStream {
        final List<byte[]> calls = new ArrayList<>();

        @Override
        public void write(int b) {
            calls.add(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            calls.add(java.util.Arrays.copyOfRange(b, off, off + len));
        }
    }

    /** Hands out at most {@code step} bytes per read, so that parsing crosses buffer refills. */
    private static InputStream trickle(String text, int step) {
        ByteArrayInputStream all = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return new InputStream() {
            @Override
            public int read() {
                return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return all.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void aRequestGoesOutInOneWrite() throws IOException {
        Writes writes = new Writes();
        LoadGen.Http http = new LoadGen.Http(null, trickle(CREATED, 1 << 20), writes, "127.0.0.1:8081");
        LoadGen.Http.Response response = http.send("POST", "/apis/x/ipclaims", "{\"a\":\"\u00e9\"}");
        assertEquals(1, writes.calls.size(), "one write per request: head and body in one segment");
        assertEquals("POST /apis/x/ipclaims HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nContent-Type: application/json\r\n"
                + "Accept: application/json\r\nContent-Length: 10\r\n\r\n{\"a\":\"\u00e9\"}",
                new String(writes.calls.get(0), StandardCharsets.UTF_8));
        assertEquals(201, response.status());
        assertEquals("{\"kind\":\"x\"}\n", response.body());
    }

    @Test
    void responsesOnOneConnectionAreReadInTurnWhateverTheReadSizes() throws IOException {
        for (int step : new int[] {1, 2, 7, 1 << 20}) {
            LoadGen.Http http = new LoadGen.Http(null, trickle(CREATED + CHUNKED + CREATED, step),
                    new ByteArrayOutputStream(), "h:1");
            assertEquals(new LoadGen.Http.Response(201, "{\"kind\":\"x\"}\n"), http.send("POST", "/a", "{}"), "step " + step);
            assertEquals(new LoadGen.Http.Response(200, "hello, world"), http.send("GET", "/b", ""), "step " + step);
            assertEquals(new LoadGen.Http.Response(201, "{\"kind\":\"x\"}\n"), http.send("POST", "/a", "{}"), "step " + step);
        }
    }

    @Test
    void aResponseCutShortIsAnError() {
        LoadGen.Http cut = new LoadGen.Http(null, trickle("HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\nabc", 2),
                new ByteArrayOutputStream(), "h:1");
        IOException e = assertThrows(IOException.class, () -> cut.send("POST", "/a", "{}"));
        assertTrue(e.getMessage().contains("mid-response"), e.getMessage());
        LoadGen.Http closed = new LoadGen.Http(null, trickle("HTTP/1.1 201 Cre", 4), new ByteArrayOutputStream(), "h:1");
        assertThrows(IOException.class, () -> closed.send("POST", "/a", "{}"));
        LoadGen.Http huge = new LoadGen.Http(null, trickle("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", 64),
                new ByteArrayOutputStream(), "h:1");
        assertTrue(assertThrows(IOException.class, () -> huge.send("GET", "/a", "")).getMessage().contains("more than"));
    }
}
