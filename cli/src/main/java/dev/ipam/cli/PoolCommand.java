package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.Codec;
import dev.ipam.client.Kind;
import dev.ipam.client.model.IPPool;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ipamctl pool list|show|create|delete}: the pools of the project. */
@Command(name = "pool", description = "Pools of the project: list, show, create, delete.")
final class PoolCommand {
    @ParentCommand
    Ipamctl root;

    @Command(name = "list", description = "List the project's pools.")
    int list(@Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output,
             @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR") String labels) {
        return new Resources(root.session()).get(new Targets(Kind.IPPOOL, List.of()), output, labels, null, false, false,
                Duration.ZERO, Resources.CHUNK_SIZE_DEFAULT);
    }

    @Command(name = "show", description = "Describe a pool, with its occupancy map (or print it with -o).")
    int show(@Parameters(paramLabel = "NAME") String name,
             @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=... (default: describe)") Output output) {
        Resources resources = new Resources(root.session());
        Targets target = new Targets(Kind.IPPOOL, List.of(name));
        if (output == null) {
            return resources.describe(target, null, false);
        }
        return resources.get(target, output, null, null, false, false, Duration.ZERO, Resources.CHUNK_SIZE_DEFAULT);
    }

    @Command(name = "create", description = "Create a root pool (--cidr) or a child pool (--parent, --length).")
    int create(@Parameters(paramLabel = "NAME") String name,
               @Option(names = "--cidr", paramLabel = "CIDR", description = "Root pool: the block, e.g. 10.0.0.0/16.") String cidr,
               @Option(names = "--family", paramLabel = "IPv4|IPv6", description = "Checked against --cidr (optional).") String family,
               @Option(names = "--parent", paramLabel = "POOL", description = "Child pool: carve the block from this pool.") String parent,
               @Option(names = "--length", paramLabel = "N", description = "Child pool: the prefix length of its block.") Integer length,
               @Option(names = "--strategy", paramLabel = "FirstFit|BestFit|LeastUtilized") String strategy,
               @Option(names = "--min-length", paramLabel = "N", description = "Shortest prefix claims may ask for.") Integer minLength,
               @Option(names = "--max-length", paramLabel = "N", description = "Longest prefix claims may ask for.") Integer maxLength,
               @Option(names = "--visibility", paramLabel = "platform|consumer|shared") String visibility,
               @Option(names = "--allowed-project", paramLabel = "PROJECT", description = "Share with this project (repeat; * for all).") List<String> allowedProjects,
               @Option(names = "--label", paramLabel = "KEY=VALUE") List<String> labels,
               @Option(names = "--dry-run", description = "Validate on the server, store nothing.") boolean dryRun,
               @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output) {
        IPPool pool = IPPool.of(name, Shortcuts.poolSpec(cidr, family, parent, length, strategy, minLength, maxLength,
                visibility, allowedProjects));
        if (labels != null) {
            pool = pool.withLabels(Labels.parse(labels, "--label"));
        }
        Session session = root.session();
        IPPool created = session.client().pools().create(pool, dryRun, dev.ipam.client.RequestIds.next());
        JsonNode node = Codec.tree(created);
        session.printer.objects(Kind.IPPOOL, List.of(node), output, false, true);
        return ExitCodes.OK;
    }

    @Command(name = "delete", description = "Delete pools (refused while they hold allocations or child pools).")
    int delete(@Parameters(arity = "1..*", paramLabel = "NAME") List<String> names,
               @Option(names = "--dry-run", description = "Check on the server, delete nothing.") boolean dryRun) {
        List<String> args = new java.util.ArrayList<>();
        args.add("ippool");
        args.addAll(names);
        return new Resources(root.session()).delete(args, null, false, dryRun, root.manifests());
    }
}
