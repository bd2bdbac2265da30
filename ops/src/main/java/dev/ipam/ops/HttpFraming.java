package dev.ipam.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 response framing over the bytes received so far on a connection: whether a whole
 * response has arrived, its status, where it ends, and its body. Shared by the load generator's
 * selector loop ({@link ClaimLoop}) and its blocking client ({@link LoadGen.Http}). Bodies are sized by
 * Content-Length or chunked encoding (without trailers); a response with neither has none.
 */
final class HttpFraming {
    static final int HEAD_BYTES_MAX = 64 * 1024;
    static final int RESPONSE_BYTES_MAX = 1 << 20;
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);

    private HttpFraming() {
    }

    /** A whole response at the start of the bytes: {@code bytes[bodyStart, end)} is its (maybe chunked) body. */
    record Framed(int status, int bodyStart, int end, boolean chunked) {
    }

    /** The response at the start of {@code bytes[0, length)}, or null while more bytes are needed. */
    static Framed frame(byte[] bytes, int length) throws IOException {
        int headEnd = indexOf(bytes, 0, length, "\r\n\r\n");
        if (headEnd < 0) {
            if (length > HEAD_BYTES_MAX) {
                throw new IOException("response head of more than " + HEAD_BYTES_MAX + " bytes");
            }
            return null;
        }
        int space = indexOf(bytes, 0, headEnd, " ");
        if (space < 0 || space + 4 > headEnd || !text(bytes, space + 1, 3).chars().allMatch(Character::isDigit)) {
            throw new IOException("bad status line: " + text(bytes, 0, Math.min(headEnd, 80)));
        }
        int status = Integer.parseInt(text(bytes, space + 1, 3));
        long contentLength = -1;
        boolean chunked = false;
        for (int line = indexOf(bytes, 0, headEnd + 2, "\r\n") + 2; line < headEnd; ) {
            int end = indexOf(bytes, line, headEnd + 2, "\r\n");
            if (startsWithIgnoreCase(bytes, line, end, CONTENT_LENGTH)) {
                try {
                    contentLength = Long.parseLong(text(bytes, line + CONTENT_LENGTH.length,
                            end - line - CONTENT_LENGTH.length).trim());
                } catch (NumberFormatException e) {
                    throw new IOException("bad content-length: " + text(bytes, line, end - line));
                }
            } else if (startsWithIgnoreCase(bytes, line, end, TRANSFER_ENCODING)) {
                chunked = text(bytes, line, end - line).toLowerCase(java.util.Locale.ROOT).contains("chunked");
            }
            line = end + 2;
        }
        int bodyStart = headEnd + 4;
        if (chunked) {
            int end = chunkedEnd(bytes, bodyStart, length);
            return end < 0 ? null : new Framed(status, bodyStart, end, true);
        }
        if (contentLength > RESPONSE_BYTES_MAX) {
            throw new IOException("response of more than " + RESPONSE_BYTES_MAX + " bytes");
        }
        int end = bodyStart + (int) Math.max(0, contentLength);
        return end <= length ? new Framed(status, bodyStart, end, false) : null;
    }

    /**
     * A receive buffer with room for more: {@code buffer} itself while {@code used} is below its
     * size, else a copy twice as large, refused past {@link #RESPONSE_BYTES_MAX}.
     */
    static byte[] room(byte[] buffer, int used) throws IOException {
        if (used < buffer.length) {
            return buffer;
        }
        if (buffer.length >= RESPONSE_BYTES_MAX) {
            throw new IOException("response of more than " + RESPONSE_BYTES_MAX + " bytes");
        }
        return java.util.Arrays.copyOf(buffer, buffer.length * 2);
    }

    /** The body of a framed response, de-chunked. */
    static byte[] body(byte[] bytes, Framed framed) {
        if (!framed.chunked()) {
            return java.util.Arrays.copyOfRange(bytes, framed.bodyStart(), framed.end());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int at = framed.bodyStart(); ; ) {
            int lineEnd = indexOf(bytes, at, framed.end(), "\r\n");
            int size = chunkSize(text(bytes, at, lineEnd - at));
            if (size == 0) {
                return body.toByteArray();
            }
            body.write(bytes, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /** The end of a chunked body starting at {@code at}, or -1 while incomplete. */
    private static int chunkedEnd(byte[] bytes, int at, int length) throws IOException {
        while (true) {
            int lineEnd = indexOf(bytes, at, length, "\r\n");
            if (lineEnd < 0) {
                return -1;
            }
            String sizeText = text(bytes, at, lineEnd - at);
            int size;
            try {
                size = chunkSize(sizeText);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + sizeText);
            }
            if (size < 0 || size > RESPONSE_BYTES_MAX) {
                throw new IOException("chunk of " + sizeText + " bytes");
            }
            int next = lineEnd + 2 + size + 2;
            if (next > length) {
                return -1;
            }
            if (size == 0) {
                return next;
            }
            at = next;
        }
    }

    private static int chunkSize(String line) {
        int semicolon = line.indexOf(';');
        return Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
    }

    private static int indexOf(byte[] bytes, int from, int to, String needle) {
        int last = to - needle.length();
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (bytes[i + j] != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWithIgnoreCase(byte[] bytes, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (Character.toLowerCase(bytes[from + i]) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] bytes, int from, int length) {
        return new String(bytes, from, length, StandardCharsets.ISO_8859_1);
    }
}
