package dev.ipam.cli;

import dev.ipam.client.Codec;
import dev.ipam.client.Kind;
import dev.ipam.client.model.Project;
import dev.ipam.client.model.Quota;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ipamctl project create|delete|list|show}: projects, for cluster administrators. */
@Command(name = "project", description = "Create, delete and list projects (cluster administrators).")
final class ProjectCommand {
    @ParentCommand
    Ipamctl root;

    @Command(name = "create", description = "Create a project, optionally with a quota.")
    int create(@Parameters(paramLabel = "NAME") String name,
               @Option(names = "--quota-claims", paramLabel = "N", description = "The most live claims.") Long claims,
               @Option(names = "--quota-ipv4-addresses", paramLabel = "N", description = "The most IPv4 addresses held.") Long addresses,
               @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output) {
        if (claims != null && claims < 0 || addresses != null && addresses < 0) {
            throw new UsageError("--quota-claims and --quota-ipv4-addresses must be >= 0");
        }
        Quota quota = claims == null && addresses == null ? null : new Quota(claims, addresses);
        Session session = root.session();
        Project created = session.adminClient().projects().create(Project.of(name, quota), false, dev.ipam.client.RequestIds.next());
        session.printer.objects(Kind.PROJECT, List.of(Codec.tree(created)), output, false, true);
        return ExitCodes.OK;
    }

    @Command(name = "delete", description = "Delete projects (refused while they hold pools or claims).")
    int delete(@Parameters(arity = "1..*", paramLabel = "NAME") List<String> names) {
        List<String> args = new ArrayList<>();
        args.add("project");
        args.addAll(names);
        return new Resources(root.session()).delete(args, null, false, false, root.manifests());
    }

    @Command(name = "list", description = "List projects with their usage and quota.")
    int list(@Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output) {
        return new Resources(root.session()).get(new Targets(Kind.PROJECT, List.of()), output, null, null, false, false,
                Duration.ZERO, Resources.CHUNK_SIZE_DEFAULT);
    }

    @Command(name = "show", description = "Describe a project: quota and usage.")
    int show(@Parameters(paramLabel = "NAME") String name) {
        return new Resources(root.session()).describe(new Targets(Kind.PROJECT, List.of(name)), null, false);
    }
}
