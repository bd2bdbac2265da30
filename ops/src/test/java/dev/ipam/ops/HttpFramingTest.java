package dev.ipam.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Response framing shared by the load generator's two clients: complete or not, status, body. */
class HttpFramingTest {
    private static final String CREATED = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n"
            + "{\"kind\":\"x\"}\n";
    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
    private static final String UNAVAILABLE = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
    private static final String NO_BODY = "HTTP/1.1 204 No Content\r\n\r\n";

    private static HttpFraming.Framed frame(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return HttpFraming.frame(bytes, bytes.length);
    }

    private static String body(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return new String(HttpFraming.body(bytes, HttpFraming.frame(bytes, bytes.length)), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aResponseIsCompleteOnlyWithItsLastByteWhateverFollows() throws IOException {
        for (String response : List.of(CREATED, CHUNKED, UNAVAILABLE, NO_BODY)) {
            for (int cut = 0; cut < response.length(); cut++) {
                assertNull(frame(response.substring(0, cut)), "incomplete at " + cut + ": " + response);
            }
            assertEquals(response.length(), frame(response).end(), response);
            assertEquals(response.length(), frame(response + CREATED).end(), "the next response is not part of it");
            assertEquals(Integer.parseInt(response.substring(9, 12)), frame(response).status());
        }
    }

    @Test
    void bodiesComeBackDeChunked() throws IOException {
        assertEquals("{\"kind\":\"x\"}\n", body(CREATED + UNAVAILABLE));
        assertEquals("hello, world", body(CHUNKED + CREATED));
        assertEquals("", body(UNAVAILABLE));
        assertEquals("", body(NO_BODY));
    }

    @Test
    void badOrOversizedResponsesAreErrors() {
        assertThrows(IOException.class, () -> frame("HTTP/1.1 abc OK\r\n\r\n"));
        assertThrows(IOException.class, () -> frame("garbage\r\n\r\n"));
        assertThrows(IOException.class, () -> frame("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));
        assertTrue(assertThrows(IOException.class, () -> frame("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n"))
                .getMessage().contains("more than"));
        assertThrows(IOException.class, () -> frame("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
        assertTrue(assertThrows(IOException.class, () -> frame("HTTP/1.1 200 OK\r\nX: " + "y".repeat(70_000)))
                .getMessage().contains("head"));
    }

    @Test
    void aReceiveBufferGrowsUpToTheResponseBound() throws IOException {
        byte[] small = new byte[4];
        assertEquals(small, HttpFraming.room(small, 3), "room left: the same buffer");
        assertEquals(8, HttpFraming.room(small, 4).length);
        byte[] full = new byte[HttpFraming.RESPONSE_BYTES_MAX];
        assertTrue(assertThrows(IOException.class, () -> HttpFraming.room(full, full.length)).getMessage().contains("more than"));
    }
}
