package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {
    /** The format's definition of a string: uvarint(UTF-8 length + 1), then the UTF-8 bytes. */
    private static byte[] reference(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        long prefix = utf8.length + 1L;
        while ((prefix & ~0x7FL) != 0) {
            out.write((int) ((prefix & 0x7F) | 0x80));
            prefix >>>= 7;
        }
        out.write((int) prefix);
        out.writeBytes(utf8);
        return out.toByteArray();
    }

    private static List<String> samples() {
        List<String> samples = new ArrayList<>();
        for (int length : new int[] {0, 1, 2, 63, 125, 126, 127, 128, 129, 300}) {
            String ascii = "a".repeat(length);
            samples.add(ascii);
            if (length > 0) {
                samples.add("é" + ascii.substring(1));
                samples.add(ascii.substring(1) + "é");
                samples.add(ascii.substring(0, length / 2) + "日" + ascii.substring(length / 2 + 1));
                samples.add(ascii.substring(1) + "\u007f");
                samples.add(ascii.substring(1) + "\u0080");
                samples.add(ascii.substring(1) + "\0");
            }
        }
        samples.add("😀 emoji");
        return samples;
    }

    @Test
    void stringsAreWrittenAsTheFormatDefinesThem() {
        for (String value : samples()) {
            Wire.Writer out = new Wire.Writer(4);
            out.u8(9); // not at offset 0, and a buffer that must grow
            out.string(value);
            out.u8(9);
            byte[] expected = reference(value);
            byte[] written = out.toByteArray();
            assertEquals(expected.length + 2, written.length, value);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(written, 1, written.length - 1),
                    "string of length " + value.length());
            Wire.Reader in = new Wire.Reader(written);
            assertEquals(9, in.u8());
            assertEquals(value, in.string());
            assertEquals(9, in.u8());
        }
    }

    @Test
    void skipStringStepsOverWhatStringReadsAndRefusesALengthPastTheEnd() {
        for (String value : samples()) {
            Wire.Writer out = new Wire.Writer(4);
            out.string(value);
            out.string(null);
            out.u8(7);
            Wire.Reader in = new Wire.Reader(out.toByteArray());
            in.skipString();
            assertEquals(reference(value).length, in.position(), value);
            in.skipString();
            assertEquals(7, in.u8());
        }
        // a length prefix of 5 (4 bytes) with 3 bytes after it
        org.junit.jupiter.api.Assertions.assertThrows(Codec.Malformed.class,
                () -> new Wire.Reader(new byte[] {5, 'a', 'b', 'c'}).skipString());
    }

    @Test
    void nullIsAZeroPrefix() {
        Wire.Writer out = new Wire.Writer(1);
        out.string(null);
        assertArrayEquals(new byte[] {0}, out.toByteArray());
        assertNull(new Wire.Reader(new byte[] {0}).string());
    }
}
