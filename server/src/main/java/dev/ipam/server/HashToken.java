package dev.ipam.server;

import dev.ipam.server.http.Auth;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipamd hash-token}: the line of the token file for a token. The token is read from standard
 * input (never from the command line, where {@code ps} and shell history would keep it), or made with
 * {@code --generate} (32 random bytes, hex) and printed once on standard error for the client.
 */
@Command(name = "hash-token", mixinStandardHelpOptions = true,
        description = "Prints a token-file line (sha256:HEX USER GRANTS) for a token read from standard input,"
                + " or for a new random token with --generate (the token itself goes to standard error).")
final class HashToken implements Callable<Integer> {
    @Option(names = "--user", required = true, description = "the user name requests with this token act as")
    String user;
    @Option(names = "--grants", required = true, description = "PROJECT=ROLE[,PROJECT=ROLE...]; *=admin is a cluster administrator")
    String grants;
    @Option(names = "--expires", description = "ISO-8601 instant after which the token is refused, e.g. 2027-01-01T00:00:00Z")
    String expires;
    @Option(names = "--generate", description = "make a new random token instead of reading one")
    boolean generate;

    @Override
    public Integer call() throws IOException {
        String token;
        if (generate) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            token = HexFormat.of().formatHex(random);
            System.err.println("token (give it to the client; it is not stored anywhere): " + token);
        } else {
            token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (token == null || token.isBlank()) {
                System.err.println("ipamd hash-token: no token on standard input (or use --generate)");
                return Main.EXIT_BAD_SETTING;
            }
            token = token.trim();
        }
        System.out.println(Auth.SHA256 + Auth.hash(token) + " " + user + " " + grants
                + (expires == null ? "" : " expires=" + java.time.Instant.parse(expires)));
        return Main.EXIT_OK;
    }
}
