package dev.ipam.cli;

import dev.ipam.client.IpamException;
import dev.ipam.client.Kind;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * ipamctl: the command line of the IPAM cluster. kubectl's verbs on the API's kinds, the
 * pool/prefix shortcuts, and the administration of projects and of the cluster itself. The verbs
 * below are thin: they decode flags and call {@link Resources}; each noun is a class of its own.
 */
@Command(name = "ipamctl", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "ipamctl 0.1.0",
        description = "Manage IP pools, claims and the IPAM cluster.",
        subcommands = {PoolCommand.class, PrefixCommand.class, ProjectCommand.class, ClusterCommand.class, BackupCommand.class,
                ConfigCommand.class, AuditCommand.class, AuditCommand.AddressCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 error, 2 usage, 3 forbidden, 4 not found, 5 conflict,",
                "6 invalid, 7 pool exhausted, 8 unavailable, 9 aborted."})
public final class Ipamctl implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--server", split = ",", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "A node's address, http://HOST:PORT. Repeat or comma-separate for several nodes (failover).")
    List<String> servers;

    @Option(names = "--project", scope = ScopeType.INHERIT, paramLabel = "NAME", description = "The project to act in.")
    String project;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN", description = "Bearer token.")
    String token;

    @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "The config file context to use instead of the current one.")
    String context;

    @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, paramLabel = "NS",
            description = "Namespace of claims and allocations (default: default).")
    String namespace;

    @Option(names = "--request-timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to wait for one node's answer: 500ms, 10s, 1m (default: ${DEFAULT-VALUE}).")
    String requestTimeout;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final InputStream stdin;
    private Session session;

    /** The root command, reading configuration from this environment and -f - from this input. */
    public Ipamctl(Map<String, String> environment, InputStream stdin) {
        this.environment = environment;
        this.stdin = stdin;
    }

    /** Runs ipamctl and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), System.in).execute(args));
    }

    /** The configured command line: exit codes mapped, errors printed the ipamctl way. */
    public static CommandLine commandLine(Map<String, String> environment, InputStream stdin) {
        CommandLine line = new CommandLine(new Ipamctl(environment, stdin));
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.registerConverter(Output.class, text -> {
            try {
                return Output.parse(text);
            } catch (UsageError e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        line.setExecutionExceptionHandler((error, command, parseResult) -> handle(error, command.getErr()));
        line.setParameterExceptionHandler((error, args) -> {
            PrintWriter err = error.getCommandLine().getErr();
            err.println("error: " + error.getMessage());
            err.println("See '" + error.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return ExitCodes.USAGE;
        });
        return line;
    }

    private static int handle(Exception error, PrintWriter err) {
        if (error instanceof IpamException e) {
            return Errors.report(err, e);
        }
        if (error instanceof UsageError e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
        err.println("error: " + (error.getMessage() == null ? error.toString() : error.getMessage()));
        err.flush();
        return error instanceof IllegalArgumentException || error instanceof IllegalStateException ? ExitCodes.USAGE : ExitCodes.ERROR;
    }

    /** {@code ipamctl} alone: the usage, and the usage exit code. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The session of this invocation, built on first use from the flags, the config file and the environment. */
    Session session() {
        if (session == null) {
            session = new Session(spec.commandLine().getOut(), spec.commandLine().getErr(), environment, servers, project,
                    token, context, namespace, duration(requestTimeout, "--request-timeout"));
        }
        return session;
    }

    Map<String, String> environment() {
        return environment;
    }

    Manifests manifests() {
        return new Manifests(stdin);
    }

    @Command(name = "get", description = "Show objects: ipamctl get ippools | get ipclaim NAME -o yaml | get ipalloc -A.")
    int get(@Parameters(arity = "1..*", paramLabel = "KIND [NAME...]") List<String> args,
            @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output,
            @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, e.g. tier=web") String labels,
            @Option(names = "--field-selector", paramLabel = "SELECTOR", description = "e.g. spec.poolRef.name=web, status.phase=Bound") String fields,
            @Option(names = {"-A", "--all-namespaces"}, description = "Across every namespace.") boolean allNamespaces,
            @Option(names = {"-w", "--watch"}, description = "After listing, follow changes.") boolean watch,
            @Option(names = "--watch-for", defaultValue = "0s", paramLabel = "DURATION", description = "Stop watching after this long (0s: until interrupted).") String watchFor,
            @Option(names = "--chunk-size", defaultValue = "500", paramLabel = "N", description = "Items per page when listing.") int chunkSize) {
        if (chunkSize <= 0) {
            throw new UsageError("--chunk-size must be > 0, got " + chunkSize);
        }
        return new Resources(session()).get(Targets.parse(args, "get"), output, labels, fields, allNamespaces, watch,
                duration(watchFor, "--watch-for"), chunkSize);
    }

    @Command(name = "describe", description = "Show an object in detail; describe ippool draws the pool's occupancy.")
    int describe(@Parameters(arity = "1..*", paramLabel = "KIND [NAME...]") List<String> args,
                 @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR") String labels,
                 @Option(names = {"-A", "--all-namespaces"}) boolean allNamespaces) {
        return new Resources(session()).describe(Targets.parse(args, "describe"), labels, allNamespaces);
    }

    @Command(name = "delete", description = "Delete objects by name or by the manifests that made them.")
    int delete(@Parameters(arity = "0..*", paramLabel = "KIND NAME...") List<String> args,
               @Option(names = {"-f", "--filename"}, paramLabel = "FILE") List<String> files,
               @Option(names = "--ignore-not-found") boolean ignoreNotFound,
               @Option(names = "--dry-run", arity = "0..1", fallbackValue = "server", paramLabel = "server|none") String dryRun) {
        return new Resources(session()).delete(args, files, ignoreNotFound, dryRun(dryRun), manifests());
    }

    @Command(name = "apply", description = "Create or update objects from YAML or JSON manifests (multi-document; - for stdin).")
    int apply(@Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true) List<String> files,
              @Option(names = "--dry-run", arity = "0..1", fallbackValue = "server", paramLabel = "server|none") String dryRun) {
        return new Resources(session()).apply(files, dryRun(dryRun), manifests());
    }

    @Command(name = "create", description = "Create objects from YAML or JSON manifests; one that exists already is an error (apply updates).")
    int create(@Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true) List<String> files,
               @Option(names = "--dry-run", arity = "0..1", fallbackValue = "server", paramLabel = "server|none") String dryRun) {
        return new Resources(session()).create(files, dryRun(dryRun), manifests());
    }

    @Command(name = "diff", description = {"Show what 'apply -f' would change: a unified diff of the live objects and the server's dry run.",
            "Exit code 0: no differences; 1: differences; other codes: an error, as for every command."})
    int diff(@Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true) List<String> files) {
        return new Resources(session()).diff(files, manifests());
    }

    @Command(name = "edit", description = {"Edit an object's YAML in $IPAM_EDITOR, $EDITOR or vi, and replace it on save.",
            "A concurrent change makes it a CONFLICT; a refused edit is kept in its file."})
    int edit(@Parameters(arity = "1..2", paramLabel = "KIND NAME | KIND/NAME") List<String> args) {
        return new Resources(session()).edit(Targets.parse(args, "edit"), environment, manifests());
    }

    @Command(name = "wait", description = "Wait for a condition: --for=condition=Ready, --for=jsonpath='{.status.phase}'=Bound, --for=delete.")
    int waitFor(@Parameters(arity = "1..*", paramLabel = "KIND/NAME") List<String> args,
                @Option(names = "--for", required = true, paramLabel = "CONDITION") String condition,
                @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION") String timeout) {
        return new Resources(session()).waitFor(Targets.parse(args, "wait"), condition, duration(timeout, "--timeout"));
    }

    @Command(name = "explain", description = "Document a kind's fields: explain ipclaims.spec.poolRef, explain ippools --recursive.")
    int explain(@Parameters(paramLabel = "KIND[.FIELD...]") String target,
                @Option(names = "--recursive", description = "Show every field below, names and types only.") boolean recursive) {
        int dot = target.indexOf('.');
        String kindText = dot < 0 ? target : target.substring(0, dot);
        String path = dot < 0 ? null : target.substring(dot + 1);
        Kind kind = Targets.kind(kindText, "explain");
        PrintWriter out = spec.commandLine().getOut();
        out.print(Schema.explain(kind, path, recursive));
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code --dry-run}, {@code --dry-run=server}, {@code --dry-run=none}. */
    static boolean dryRun(String value) {
        if (value == null || value.equals("none")) {
            return false;
        }
        if (value.equals("server") || value.equals("true")) {
            return true;
        }
        throw new UsageError("--dry-run: '" + value + "' is not server or none (the server computes the real answer, e.g. the exact block, and stores nothing)");
    }

    /** Parses 500ms, 10s, 2m, 1h, or a plain number of seconds; the flag's name goes into the error. */
    static Duration duration(String text, String flag) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            }
            if (t.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new UsageError(flag + ": '" + text + "' is not a duration; write e.g. 500ms, 10s, 2m");
        }
    }
}
