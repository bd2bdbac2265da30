package dev.ipam.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.http.Auth;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** When ipamd runs without authentication (only as the loud development default or when told), and hash-token. */
class SecurityTest {
    @TempDir
    Path temp;

    private static Security decide(Map<String, String> flags, boolean configFile) {
        Map<String, String> values = Config.values(null, flags);
        return Security.from(values, configFile, Config.fromValues(values));
    }

    private static final String TWO = "node1=127.0.0.1:9860=127.0.0.1:8080,n2=127.0.0.1:9862=127.0.0.1:8082";

    @Test
    void anonymousOnlyAsTheSingleNodeDevelopmentDefaultOrWhenAsked() throws Exception {
        Security dev = decide(Map.of(), false);
        assertTrue(dev.devDefault());
        assertFalse(dev.auth().on());

        Config.Invalid multi = assertThrows(Config.Invalid.class, () -> decide(Map.of("peers", TWO), false));
        assertTrue(multi.getMessage().contains("auth-tokens-file"), multi.getMessage());
        assertThrows(Config.Invalid.class, () -> decide(Map.of("join", "true"), false));
        assertThrows(Config.Invalid.class, () -> decide(Map.of(), true), "a settings file without tokens");

        Security asked = decide(Map.of("peers", TWO, "auth-anonymous", "true"), true);
        assertFalse(asked.devDefault());
        assertFalse(asked.auth().on());

        Path tokens = temp.resolve("tokens");
        Files.writeString(tokens, "sha256:" + Auth.hash("t") + " u *=admin\n");
        Map<String, String> withTokens = new LinkedHashMap<>(Map.of("peers", TWO, "auth-tokens-file", tokens.toString()));
        Security secured = decide(withTokens, true);
        try {
            assertTrue(secured.auth().on());
            assertEquals(1, secured.auth().size());
        } finally {
            secured.auth().close();
        }
        withTokens.put("auth-anonymous", "true");
        assertThrows(Config.Invalid.class, () -> decide(withTokens, true), "tokens and anonymous contradict");
        assertThrows(Config.Invalid.class, () -> decide(Map.of("raft-tls-key", "/k"), false), "raft TLS needs all three files");
    }

    @Test
    void hashTokenPrintsTheFileLineForATokenOnStandardInput() {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code;
        try {
            System.setIn(new ByteArrayInputStream("s3cret\n".getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            code = new CommandLine(new Main()).execute("hash-token", "--user", "alice", "--grants", "p1=editor",
                    "--expires", "2027-01-01T00:00:00Z");
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        assertEquals(Main.EXIT_OK, code);
        assertEquals("sha256:" + Auth.hash("s3cret") + " alice p1=editor expires=2027-01-01T00:00:00Z",
                printed.toString(StandardCharsets.UTF_8).strip());
    }
}
