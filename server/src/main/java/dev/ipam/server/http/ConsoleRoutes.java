package dev.ipam.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The read-only web console at {@code /console/}: three static files from the class path, no build
 * step. The files themselves are public (they hold no data); every datum the page shows comes from
 * the API with the user's bearer token, under the same authorisation as any other client.
 */
final class ConsoleRoutes {
    static final String PREFIX = "/console";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    private ConsoleRoutes() {
    }

    static boolean serves(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** {@code path} as received (a trailing slash matters: /console must redirect so relative links work). */
    static void handle(Exchange ex, String rawPath) {
        if (!ex.method.equals("GET") && !ex.method.equals("HEAD")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + rawPath + "; the console is read-only");
        }
        String name = rawPath.equals(PREFIX) || rawPath.equals(PREFIX + "/") ? "index.html" : rawPath.substring(PREFIX.length() + 1);
        if (rawPath.equals(PREFIX)) {
            ex.redirect(PREFIX + "/");
            return;
        }
        String type = FILES.get(name);
        if (type == null) {
            throw ApiException.notFound(null, null, "no console file " + rawPath);
        }
        ex.reply(200, type, read(name));
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console file " + name + " missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
