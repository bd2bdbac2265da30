package dev.ipam.server.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a request is: bearer tokens (and, with TLS client authentication, certificate subjects) mapped to
 * identities with a role per project: {@code viewer} reads, {@code editor} also writes claims (and
 * relabels allocations), {@code admin} also writes pools and deletes allocations. A role on project
 * {@code *} holds in every project; {@code admin} on {@code *} is a cluster administrator, who alone
 * manages projects, membership and snapshots.
 *
 * <p>Token file, one identity per line ({@code #} comments):
 * <pre>
 * sha256:HEX  USER  PROJECT=ROLE[,PROJECT=ROLE...]  [expires=2027-01-01T00:00:00Z]
 * cn:NAME     USER  PROJECT=ROLE[,...]              [expires=...]
 * </pre>
 * {@code HEX} is the lowercase hex SHA-256 of the token ({@code ipamd hash-token}); the file holds no
 * secret an attacker could replay. A line may still give a token in clear (first field without a
 * prefix): it is accepted with a warning, for development only. {@code cn:NAME} grants roles to a
 * client certificate whose subject common name is NAME (HTTPS with client certificates on).
 *
 * <p>{@link #watching} re-reads the file when its size, modification time or identity (a rename over
 * it) changes, at most every {@code pollMs}; a file that fails to parse keeps the previous table (and
 * is logged), so a typo never locks everybody out or lets anybody in. The swap is atomic: a request
 * sees the old table or the new one, never half of each.
 */
public final class Auth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Auth.class);
    /** The most identities one token file may define. */
    public static final int IDENTITIES_MAX = 100_000;
    /** The largest token file read. */
    public static final long TOKEN_FILE_BYTES_MAX = 32L << 20;
    /** The prefix of a hashed token in the file. */
    public static final String SHA256 = "sha256:";
    /** The prefix of a certificate subject in the file. */
    public static final String CN = "cn:";

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

    /** One line of the file: an identity and when it stops being valid (Long.MAX_VALUE = never). */
    record Grant(Identity identity, long expiresEpochMs) {
    }

    /** The parsed file: grants by token hash (hex) and by certificate common name. */
    record Table(Map<String, Grant> byHash, Map<String, Grant> byCommonName, int clearTokens) {
        static final Table EMPTY = new Table(Map.of(), Map.of(), 0);
    }

    private final boolean anonymous;
    private final Path file;
    private final LongSupplier clockMs;
    private volatile Table table;
    private volatile Object fileStamp;
    private final ScheduledExecutorService poller;

    private Auth(boolean anonymous, Path file, Table table, Object stamp, LongSupplier clockMs, long pollMs) {
        this.anonymous = anonymous;
        this.file = file;
        this.table = table;
        this.fileStamp = stamp;
        this.clockMs = clockMs;
        if (pollMs > 0) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ipam-token-file");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::reloadQuietly, pollMs, pollMs, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    /** Authentication off: every request acts as {@code system:anonymous} with every right (development only). */
    public static Auth off() {
        return new Auth(true, null, Table.EMPTY, null, System::currentTimeMillis, 0);
    }

    /** Fixed identities by token in clear (tests). */
    public Auth(Map<String, Identity> tokens) {
        this(false, null, tableOf(tokens), null, System::currentTimeMillis, 0);
    }

    private static Table tableOf(Map<String, Identity> tokens) {
        Map<String, Grant> byHash = new HashMap<>();
        tokens.forEach((token, identity) -> byHash.put(hash(token), new Grant(identity, Long.MAX_VALUE)));
        return new Table(Map.copyOf(byHash), Map.of(), 0);
    }

    /** Whether requests need an identity. */
    public boolean on() {
        return !anonymous;
    }

    /** Reads a token file once; a bad line fails with its number and what is wrong. */
    public static Auth load(Path file) {
        Object stamp = stamp(file);
        return new Auth(false, file, parse(file), stamp, System::currentTimeMillis, 0);
    }

    /**
     * Reads a token file and re-reads it when it changes, checking every {@code pollMs}; a bad file at
     * start fails, a bad file later keeps the last good table. {@code clockMs} decides expiry.
     */
    public static Auth watching(Path file, long pollMs, LongSupplier clockMs) {
        if (pollMs < 10 || pollMs > 3_600_000) {
            throw new IllegalArgumentException("bad setting auth-token-poll-ms=" + pollMs + ": use 10..3600000 (default 2000)");
        }
        Object stamp = stamp(file);
        return new Auth(false, file, parse(file), stamp, clockMs, pollMs);
    }

    /** How many identities the current table holds (tokens and certificate names). */
    public int size() {
        Table t = table;
        return t.byHash().size() + t.byCommonName().size();
    }

    /**
     * Re-reads the file now if it changed since the last read; true when a new table took effect.
     * A file that fails to parse throws and keeps the old table.
     */
    public synchronized boolean reloadIfChanged() {
        if (file == null) {
            return false;
        }
        Object stamp = stamp(file);
        if (Objects.equals(stamp, fileStamp)) {
            return false;
        }
        Table next = parse(file);
        table = next;
        fileStamp = stamp;
        LOG.info("token file {} reloaded: {} tokens, {} certificate names", file, next.byHash().size(),
                next.byCommonName().size());
        return true;
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            LOG.error("token file {} not reloaded, the previous one stays in force: {}", file, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    /** What identifies a version of the file: size, modification time and file key (inode). */
    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            throw new IllegalArgumentException("bad setting auth-tokens-file=" + file + ": cannot read it (" + e
                    + "); give a readable file");
        }
    }

    static Table parse(Path file) {
        List<String> lines;
        try {
            if (Files.size(file) > TOKEN_FILE_BYTES_MAX) {
                throw new IllegalArgumentException("bad token file " + file + ": larger than " + TOKEN_FILE_BYTES_MAX
                        + " bytes (Auth.TOKEN_FILE_BYTES_MAX)");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad setting auth-tokens-file=" + file + ": cannot read it (" + e
                    + "); give a readable UTF-8 file or leave the setting out");
        }
        Map<String, Grant> byHash = new HashMap<>();
        Map<String, Grant> byName = new HashMap<>();
        int clear = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 3 && parts.length != 4) {
                throw badLine(file, i, "expected sha256:HEX|cn:NAME USER PROJECT=ROLE[,PROJECT=ROLE...] [expires=TIME]");
            }
            Map<String, Role> roles = new HashMap<>();
            for (String grant : parts[2].split(",")) {
                String[] kv = grant.split("=", 2);
                try {
                    if (kv[0].isEmpty()) {
                        throw new IllegalArgumentException("empty project");
                    }
                    roles.put(kv[0], Role.valueOf(kv[1]));
                } catch (RuntimeException e) {
                    throw badLine(file, i, "\"" + grant + "\" is not PROJECT=viewer|editor|admin");
                }
            }
            long expires = Long.MAX_VALUE;
            if (parts.length == 4) {
                if (!parts[3].startsWith("expires=")) {
                    throw badLine(file, i, "the fourth field must be expires=ISO-8601 instant, e.g. expires=2027-01-01T00:00:00Z");
                }
                try {
                    expires = Instant.parse(parts[3].substring(8)).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw badLine(file, i, "\"" + parts[3] + "\" is not expires=ISO-8601 instant, e.g. 2027-01-01T00:00:00Z");
                }
            }
            Grant grant = new Grant(new Identity(parts[1], Map.copyOf(roles)), expires);
            String key = parts[0];
            Map<String, Grant> into;
            if (key.startsWith(SHA256)) {
                key = key.substring(SHA256.length()).toLowerCase(java.util.Locale.ROOT);
                if (!key.matches("[0-9a-f]{64}")) {
                    throw badLine(file, i, "sha256: must be followed by 64 hex digits (ipamd hash-token makes them)");
                }
                into = byHash;
            } else if (key.startsWith(CN)) {
                key = key.substring(CN.length());
                if (key.isEmpty()) {
                    throw badLine(file, i, "cn: must be followed by a certificate common name");
                }
                into = byName;
            } else {
                key = hash(key);
                into = byHash;
                clear++;
            }
            if (into.put(key, grant) != null) {
                throw badLine(file, i, "the token or name is defined twice");
            }
            if (byHash.size() + byName.size() > IDENTITIES_MAX) {
                throw badLine(file, i, "more than " + IDENTITIES_MAX + " identities");
            }
        }
        if (clear > 0) {
            LOG.warn("token file {} holds {} token(s) in clear: anybody who reads it can use them; store"
                    + " sha256:HEX from 'ipamd hash-token' instead", file, clear);
        }
        return new Table(Map.copyOf(byHash), Map.copyOf(byName), clear);
    }

    private static IllegalArgumentException badLine(Path file, int index, String why) {
        return new IllegalArgumentException("bad token file " + file + " line " + (index + 1) + ": " + why);
    }

    /** The lowercase hex SHA-256 of a token's UTF-8 bytes: what the token file stores. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** The identity of a request from its Authorization header; 401 when auth is on and it has none. */
    Identity authenticate(String authorization) {
        return authenticate(authorization, null);
    }

    /**
     * The identity of a request: its bearer token if it sends one, else its client certificate's
     * common name (verified by TLS) if the file grants that name roles; 401 otherwise.
     */
    Identity authenticate(String authorization, String certificateName) {
        if (anonymous) {
            return Identity.ANONYMOUS_ADMIN;
        }
        Table t = table;
        if (authorization == null) {
            if (certificateName != null) {
                Grant grant = t.byCommonName().get(certificateName);
                if (grant != null) {
                    return valid(grant);
                }
                throw unauthorized("the client certificate \"" + certificateName + "\" is granted nothing");
            }
            throw unauthorized("a bearer token is required");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("a bearer token is required");
        }
        Grant grant = t.byHash().get(hash(authorization.substring(7).trim()));
        if (grant == null) {
            throw unauthorized("the bearer token is not known");
        }
        return valid(grant);
    }

    private Identity valid(Grant grant) {
        if (clockMs.getAsLong() >= grant.expiresEpochMs()) {
            throw unauthorized("the credential expired at " + Instant.ofEpochMilli(grant.expiresEpochMs()));
        }
        return grant.identity();
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
