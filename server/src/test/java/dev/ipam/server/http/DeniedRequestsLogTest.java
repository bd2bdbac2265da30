package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refused requests leave one WARN line each, naming who, from where and what, on their own logger. */
class DeniedRequestsLogTest {
    @TempDir
    Path dir;

    @Test
    void everyRefusalIsLoggedWithItsRequestIdAndNothingElseIs() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "alice-token alice p2=editor\n");
        Logger denied = (Logger) Api.DENIED;
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        denied.addAppender(seen);
        try (Fixture api = new Fixture(ApiConfig.defaults(0), null, Auth.load(tokens))) {
            assertEquals(401, api.send(HttpRequest.newBuilder(api.uri(Fixture.CLAIMS)).header("X-Request-Id", "no-token-1").GET()).code());
            assertEquals(403, api.send(HttpRequest.newBuilder(api.uri(Fixture.CLAIMS)).header("X-Request-Id", "other-project-2")
                    .header("Authorization", "Bearer alice-token").GET()).code());
            assertEquals(200, api.send(HttpRequest.newBuilder(api.uri("/healthz")).GET()).code());
        } finally {
            denied.detachAppender(seen);
        }
        List<String> lines = seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("denied 401 GET " + Fixture.CLAIMS + " request no-token-1 from 127.0.0.1")
                && lines.get(0).contains("as (unauthenticated)"), lines.get(0));
        assertTrue(lines.get(1).startsWith("denied 403 GET " + Fixture.CLAIMS + " request other-project-2 from 127.0.0.1")
                && lines.get(1).contains("as alice"), lines.get(1));
        assertEquals("WARN", seen.list.get(1).getLevel().toString());
    }
}
