package dev.ipam.server.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One JSON object per line, with node, term, request id and a bounded stack trace. */
class JsonEncoderTest {
    @Test
    void encodesOneParsableLineWithContextAndError() throws Exception {
        LoggerContext context = new LoggerContext();
        context.putProperty("node", "n2");
        context.putProperty("term", "7");
        Logger logger = context.getLogger("dev.ipam.test");
        Exception error = new IllegalStateException("disk \"full\"\nreally", new java.io.IOException("ENOSPC"));
        LoggingEvent event = new LoggingEvent("fqcn", logger, Level.WARN, "claim {} refused", error, new Object[] {"c1"});
        event.setMDCPropertyMap(Map.of("requestId", "req-42"));
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.start();

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertTrue(line.endsWith("\n"));
        assertFalse(line.substring(0, line.length() - 1).contains("\n"), "one event, one line: " + line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("WARN", json.get("level").asText());
        assertEquals("dev.ipam.test", json.get("logger").asText());
        assertEquals("claim c1 refused", json.get("msg").asText());
        assertEquals("n2", json.get("node").asText());
        assertEquals("7", json.get("term").asText());
        assertEquals("req-42", json.get("requestId").asText());
        String trace = json.get("error").asText();
        assertTrue(trace.startsWith("java.lang.IllegalStateException: disk \"full\"\nreally"), trace);
        assertTrue(trace.contains("caused by: java.io.IOException: ENOSPC"), trace);
        assertTrue(trace.split("\n\tat ").length <= 2 * JsonEncoder.STACK_FRAMES_MAX + 1, "frames bounded");
        assertTrue(json.get("ts").asText().endsWith("Z"));
    }
}
