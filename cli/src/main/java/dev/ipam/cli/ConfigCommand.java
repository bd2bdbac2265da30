package dev.ipam.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ipamctl config view|use-context|set-context|get-contexts|current-context|delete-context}:
 * the contexts of the config file. {@code set-context} takes the global --server, --project and
 * --token flags as the context's values.
 */
@Command(name = "config", description = "Edit the config file's contexts (~/.ipam/config or $IPAMCONFIG).")
final class ConfigCommand {
    @ParentCommand
    Ipamctl root;

    @Command(name = "view", description = "Print the configuration (tokens redacted unless --raw).")
    int view(@Option(names = "--raw", description = "Show tokens.") boolean raw) {
        ConfigFile file = file();
        out().print(ConfigFile.render(file.read(), raw));
        out().flush();
        return ExitCodes.OK;
    }

    @Command(name = "use-context", description = "Make a context the current one.")
    int useContext(@Parameters(paramLabel = "NAME") String name) {
        ConfigFile file = file();
        ConfigFile.Content content = file.read();
        if (content.context(name).isEmpty()) {
            throw new UsageError("no context '" + name + "' in " + file.path() + "; known: " + content.names()
                    + " (create it with 'ipamctl config set-context " + name + " --server URL')", ExitCodes.NOT_FOUND);
        }
        file.write(new ConfigFile.Content(ConfigFile.API_VERSION, name, content.contexts()));
        out().println("Switched to context \"" + name + "\".");
        out().flush();
        return ExitCodes.OK;
    }

    @Command(name = "set-context", description = "Create or update a context from --server, --project and --token.")
    int setContext(@Parameters(paramLabel = "NAME") String name,
                   @Option(names = "--use", description = "Also make it the current context.") boolean use) {
        if (root.servers == null && root.project == null && root.token == null) {
            throw new UsageError("set-context " + name + ": give at least one of --server, --project, --token");
        }
        ConfigFile file = file();
        ConfigFile.Content content = file.read();
        boolean existed = content.context(name).isPresent();
        List<String> servers = root.servers == null ? null : new ArrayList<>(root.servers);
        ConfigFile.Content updated = ConfigFile.setContext(content, new ConfigFile.Context(name, servers, root.project, root.token));
        if (use) {
            updated = new ConfigFile.Content(ConfigFile.API_VERSION, name, updated.contexts());
        }
        file.write(updated);
        out().println("Context \"" + name + "\" " + (existed ? "modified" : "created") + ".");
        out().flush();
        return ExitCodes.OK;
    }

    @Command(name = "delete-context", description = "Remove a context.")
    int deleteContext(@Parameters(paramLabel = "NAME") String name) {
        ConfigFile file = file();
        ConfigFile.Content content = file.read();
        if (content.context(name).isEmpty()) {
            throw new UsageError("no context '" + name + "' in " + file.path() + "; known: " + content.names(), ExitCodes.NOT_FOUND);
        }
        List<ConfigFile.Context> rest = content.contexts().stream().filter(c -> !c.name().equals(name)).toList();
        String current = name.equals(content.currentContext()) ? null : content.currentContext();
        file.write(new ConfigFile.Content(ConfigFile.API_VERSION, current, rest));
        out().println("Deleted context \"" + name + "\".");
        out().flush();
        return ExitCodes.OK;
    }

    @Command(name = "get-contexts", description = "List contexts; * marks the current one.")
    int getContexts() {
        ConfigFile.Content content = file().read();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("CURRENT", "NAME", "SERVERS", "PROJECT"));
        for (ConfigFile.Context c : content.contexts()) {
            rows.add(List.of(c.name().equals(content.currentContext()) ? "*" : "", c.name(),
                    c.servers() == null ? "" : String.join(",", c.servers()), c.project() == null ? "" : c.project()));
        }
        out().print(Tables.layout(rows));
        out().flush();
        return ExitCodes.OK;
    }

    @Command(name = "current-context", description = "Print the current context's name.")
    int currentContext() {
        ConfigFile.Content content = file().read();
        if (content.currentContext() == null) {
            throw new UsageError("no current context; set one with 'ipamctl config use-context NAME'", ExitCodes.NOT_FOUND);
        }
        out().println(content.currentContext());
        out().flush();
        return ExitCodes.OK;
    }

    private ConfigFile file() {
        return new ConfigFile(ConfigFile.locate(root.environment()));
    }

    private PrintWriter out() {
        return root.spec.commandLine().getOut();
    }
}
