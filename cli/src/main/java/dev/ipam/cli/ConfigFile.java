package dev.ipam.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ipamctl configuration file ({@code ~/.ipam/config}, or {@code $IPAMCONFIG}): named contexts
 * (servers, project, token) and the current one. YAML, versioned by {@code apiVersion}, written
 * with owner-only permissions because it holds tokens.
 *
 * <pre>
 * apiVersion: ipamctl/v1
 * currentContext: dev
 * contexts:
 * - name: dev
 *   servers: [http://127.0.0.1:8080, http://127.0.0.1:8081]
 *   project: demo
 *   token: s3cret
 * </pre>
 */
public final class ConfigFile {
    /** The only format version this ipamctl reads and writes. */
    public static final String API_VERSION = "ipamctl/v1";
    private static final long FILE_BYTES_MAX = 1 << 20;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The file's content. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Content(String apiVersion, String currentContext, List<Context> contexts) {
        /** The context of this name. */
        public Optional<Context> context(String name) {
            return contexts == null ? Optional.empty() : contexts.stream().filter(c -> name.equals(c.name())).findFirst();
        }

        /** The names of every context, for error messages. */
        public List<String> names() {
            return contexts == null ? List.of() : contexts.stream().map(Context::name).toList();
        }
    }

    /** One named target: the nodes, the project and the token to use. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Context(String name, List<String> servers, String project, String token) {
    }

    private final Path path;

    /** The file at this path (which may not exist yet). */
    public ConfigFile(Path path) {
        this.path = path;
    }

    /** Where the file lives: {@code $IPAMCONFIG}, else {@code $HOME/.ipam/config}. */
    public static Path locate(Map<String, String> environment) {
        String explicit = environment.get("IPAMCONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".ipam", "config");
    }

    /** The file's path. */
    public Path path() {
        return path;
    }

    /** The content, or an empty configuration when the file does not exist. */
    public Content read() {
        if (!Files.exists(path)) {
            return new Content(API_VERSION, null, List.of());
        }
        try {
            if (Files.size(path) > FILE_BYTES_MAX) {
                throw new UsageError("config file " + path + " is larger than " + FILE_BYTES_MAX + " bytes; is it the right file?");
            }
            Content content = YAML.readValue(path.toFile(), Content.class);
            if (content == null) {
                return new Content(API_VERSION, null, List.of());
            }
            if (content.apiVersion() != null && !API_VERSION.equals(content.apiVersion())) {
                throw new UsageError("config file " + path + " has apiVersion " + content.apiVersion()
                        + "; this ipamctl reads " + API_VERSION);
            }
            return new Content(API_VERSION, content.currentContext(), content.contexts() == null ? List.of() : content.contexts());
        } catch (IOException e) {
            throw new UsageError("cannot read config file " + path + ": " + e.getMessage()
                    + " (fix the YAML or point $IPAMCONFIG elsewhere)");
        }
    }

    /** Replaces the file's content (creating the directory), readable by the owner only. */
    public void write(Content content) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
            Files.write(temporary, YAML.writeValueAsBytes(content));
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Not a POSIX file system: the platform's default permissions apply.
            }
            Files.move(temporary, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UsageError("cannot write config file " + path + ": " + e.getMessage(), ExitCodes.ERROR);
        }
    }

    /** Adds or updates a context: fields left null keep their old value. */
    public static Content setContext(Content content, Context update) {
        List<Context> contexts = new ArrayList<>();
        boolean found = false;
        for (Context c : content.contexts()) {
            if (c.name().equals(update.name())) {
                contexts.add(new Context(c.name(),
                        update.servers() != null ? update.servers() : c.servers(),
                        update.project() != null ? update.project() : c.project(),
                        update.token() != null ? update.token() : c.token()));
                found = true;
            } else {
                contexts.add(c);
            }
        }
        if (!found) {
            contexts.add(update);
        }
        String current = content.currentContext() == null ? update.name() : content.currentContext();
        return new Content(API_VERSION, current, contexts);
    }

    /** The content as YAML, with tokens shown or redacted. */
    public static String render(Content content, boolean showTokens) {
        List<Context> shown = new ArrayList<>();
        for (Context c : content.contexts()) {
            shown.add(new Context(c.name(), c.servers(), c.project(),
                    c.token() == null || showTokens ? c.token() : "REDACTED"));
        }
        try {
            return YAML.writeValueAsString(new Content(API_VERSION, content.currentContext(), shown));
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the configuration", e);
        }
    }
}
