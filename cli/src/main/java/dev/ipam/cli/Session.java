package dev.ipam.cli;

import dev.ipam.client.ClientConfig;
import dev.ipam.client.IpamClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one ipamctl invocation works with: where its output goes, and the target (servers,
 * project, token, namespace) resolved from the flags first, then the chosen context of the config
 * file, then the environment ({@code IPAM_SERVER}, {@code IPAM_PROJECT}, {@code IPAM_TOKEN}).
 */
final class Session {
    /** The namespace claims live in unless {@code -n} says otherwise. */
    static final String DEFAULT_NAMESPACE = "default";

    final PrintWriter out;
    final PrintWriter err;
    final Printer printer;
    final ConfigFile configFile;
    private final List<String> servers;
    private final String project;
    private final String token;
    private final String namespace;
    private final Duration requestTimeout;
    private final String contextName;

    Session(PrintWriter out, PrintWriter err, Map<String, String> environment, List<String> serverFlags, String projectFlag,
            String tokenFlag, String contextFlag, String namespaceFlag, Duration requestTimeout) {
        this.out = out;
        this.err = err;
        this.printer = new Printer(out, new Tables(Instant.now()));
        this.configFile = new ConfigFile(ConfigFile.locate(environment));
        ConfigFile.Context context = null;
        ConfigFile.Content content = null;
        if (contextFlag != null || serverFlags == null || projectFlag == null || tokenFlag == null) {
            content = configFile.read();
            String name = contextFlag != null ? contextFlag : content.currentContext();
            if (name != null) {
                context = content.context(name).orElse(null);
                if (context == null && contextFlag != null) {
                    throw new UsageError("--context: no context '" + contextFlag + "' in " + configFile.path()
                            + "; known: " + content.names() + " (create it with 'ipamctl config set-context " + contextFlag + " --server URL')");
                }
            }
        }
        this.contextName = context == null ? null : context.name();
        List<String> chosen = firstNonEmpty(serverFlags, context == null ? null : context.servers(), splitEnv(environment.get("IPAM_SERVER")));
        ControlPlane plane = ControlPlane.of(chosen);
        this.servers = plane.roots();
        this.project = first(projectFlag, context == null ? null : context.project(),
                plane.project() != null ? plane.project() : environment.get("IPAM_PROJECT"));
        this.token = first(tokenFlag, context == null ? null : context.token(), environment.get("IPAM_TOKEN"));
        this.namespace = namespaceFlag == null || namespaceFlag.isEmpty() ? DEFAULT_NAMESPACE : namespaceFlag;
        this.requestTimeout = requestTimeout;
    }

    /** A client for the project-scoped API; a usage error names the missing setting. */
    IpamClient client() {
        if (project == null || project.isEmpty()) {
            throw new UsageError("no project: pass --project NAME, or set one with 'ipamctl config set-context NAME --project NAME'");
        }
        return build(project);
    }

    /** A client for the admin surface (projects, cluster), which needs no project. */
    IpamClient adminClient() {
        return build(project);
    }

    String namespace() {
        return namespace;
    }

    String project() {
        return project;
    }

    List<String> servers() {
        return servers;
    }

    String token() {
        return token;
    }

    String contextName() {
        return contextName;
    }

    private IpamClient build(String projectName) {
        if (servers == null || servers.isEmpty()) {
            throw new UsageError("no server: pass --server http://HOST:PORT (repeat it or comma-separate for several nodes), "
                    + "or set one with 'ipamctl config set-context NAME --server URL'");
        }
        long timeoutMs = requestTimeout.toMillis();
        try {
            return new IpamClient(ClientConfig.builder().endpoints(servers).project(projectName).token(token)
                    .connectTimeoutMs(Math.min(2_000, timeoutMs)).requestTimeoutMs(timeoutMs)
                    .operationTimeoutMs(Math.max(timeoutMs, 3 * timeoutMs)).build());
        } catch (IllegalArgumentException e) {
            throw new UsageError("--server: " + e.getMessage());
        }
    }

    /**
     * Servers given the kubectl way, {@code http://HOST:PORT/apis/resourcemanager.miloapis.com/v1alpha1/projects/P/control-plane}:
     * the node roots, and the project P they name (when they all name the same one).
     */
    record ControlPlane(List<String> roots, String project) {
        private static final java.util.regex.Pattern PATH = java.util.regex.Pattern.compile(
                "^(https?://[^/]+)/apis/resourcemanager\\.miloapis\\.com/v1alpha1/projects/([^/]+)/control-plane/?$");

        static ControlPlane of(List<String> servers) {
            if (servers == null) {
                return new ControlPlane(null, null);
            }
            List<String> roots = new java.util.ArrayList<>();
            java.util.TreeSet<String> projects = new java.util.TreeSet<>();
            for (String server : servers) {
                java.util.regex.Matcher m = PATH.matcher(server.trim());
                if (m.matches()) {
                    roots.add(m.group(1));
                    projects.add(m.group(2));
                } else {
                    roots.add(server.trim());
                }
            }
            if (projects.size() > 1) {
                throw new UsageError("--server: the control-plane URLs name different projects " + projects + "; use one");
            }
            return new ControlPlane(roots, projects.isEmpty() ? null : projects.first());
        }
    }

    private static List<String> splitEnv(String value) {
        return value == null || value.isBlank() ? null : List.of(value.split(","));
    }

    private static List<String> firstNonEmpty(List<String> a, List<String> b, List<String> c) {
        if (a != null && !a.isEmpty()) {
            return a;
        }
        if (b != null && !b.isEmpty()) {
            return b;
        }
        return c;
    }

    private static String first(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }
}
