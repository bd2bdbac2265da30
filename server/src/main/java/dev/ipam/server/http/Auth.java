package dev.ipam.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bearer-token identities with a role per project: {@code viewer} reads, {@code editor} also writes
 * claims (and relabels allocations), {@code admin} also writes pools and deletes allocations. A role
 * on project {@code *} holds in every project; {@code admin} on {@code *} is a cluster administrator,
 * who alone manages projects and the cluster. With no tokens, authentication is off and every
 * request acts as {@code system:anonymous} with every right.
 *
 * <p>Token file, one identity per line ({@code #} comments): {@code TOKEN USER PROJECT=ROLE[,PROJECT=ROLE...]}.
 */
public final class Auth {
    /** The most identities one token file may define. */
    public static final int IDENTITIES_MAX = 100_000;

    public enum Role { viewer, editor, admin }

    /** Who made a request. */
    public record Identity(String user, Map<String, Role> roles) {
        public static final Identity ANONYMOUS_ADMIN = new Identity(Resources.ANONYMOUS, Map.of("*", Role.admin));

        boolean may(String project, Role needed) {
            Role role = roles.get(project);
            Role any = roles.get("*");
            return (role != null && role.compareTo(needed) >= 0) || (any != null && any.compareTo(needed) >= 0);
        }

        boolean clusterAdmin() {
            return roles.get("*") == Role.admin;
        }
    }

    private final Map<String, Identity> tokens;

    /** Authentication off. */
    public static Auth off() {
        return new Auth(Map.of());
    }

    public Auth(Map<String, Identity> tokens) {
        this.tokens = Map.copyOf(tokens);
    }

    public boolean on() {
        return !tokens.isEmpty();
    }

    /** Reads a token file; a bad line fails with its number and what is wrong. */
    public static Auth load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad setting http.tokenFile=" + file + ": cannot read it (" + e.getMessage()
                    + "); give a readable file or leave the setting out to run without authentication");
        }
        Map<String, Identity> tokens = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 3) {
                throw badLine(file, i, "expected TOKEN USER PROJECT=ROLE[,PROJECT=ROLE...]");
            }
            Map<String, Role> roles = new HashMap<>();
            for (String grant : parts[2].split(",")) {
                String[] kv = grant.split("=", 2);
                try {
                    roles.put(kv[0], Role.valueOf(kv[1]));
                } catch (RuntimeException e) {
                    throw badLine(file, i, "\"" + grant + "\" is not PROJECT=viewer|editor|admin");
                }
            }
            if (tokens.put(parts[0], new Identity(parts[1], Map.copyOf(roles))) != null) {
                throw badLine(file, i, "the token is defined twice");
            }
            if (tokens.size() > IDENTITIES_MAX) {
                throw badLine(file, i, "more than " + IDENTITIES_MAX + " identities");
            }
        }
        return new Auth(tokens);
    }

    private static IllegalArgumentException badLine(Path file, int index, String why) {
        return new IllegalArgumentException("bad token file " + file + " line " + (index + 1) + ": " + why);
    }

    /** The identity of a request from its Authorization header; 401 when auth is on and it has none. */
    Identity authenticate(String authorization) {
        if (!on()) {
            return Identity.ANONYMOUS_ADMIN;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("a bearer token is required");
        }
        Identity identity = tokens.get(authorization.substring(7).trim());
        if (identity == null) {
            throw unauthorized("the bearer token is not known");
        }
        return identity;
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "Unauthorized", message, List.of(), null, null);
    }

    static ApiException forbidden(Identity identity, String verb, Kind kind, String project) {
        String where = project == null || project.isEmpty() ? "at the cluster scope" : "in the project \"" + project + "\"";
        return new ApiException(403, "Forbidden", kind.plural + "." + kind.group + " is forbidden: User \""
                + identity.user() + "\" cannot " + verb + " resource \"" + kind.plural + "\" in API group \"" + kind.group
                + "\" " + where, List.of(), kind.plural, null);
    }
}
