package dev.ipam.cli;

import dev.ipam.client.ClaimRequest;
import dev.ipam.client.Codec;
import dev.ipam.client.IpamClient;
import dev.ipam.client.IpamException;
import dev.ipam.client.Kind;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPClaimSpec;
import dev.ipam.client.model.IPPool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ipamctl prefix claim|list|show|release}: claims, the datumctl way. */
@Command(name = "prefix", description = "Claim, list, show and release prefixes (IPClaims).")
final class PrefixCommand {
    @ParentCommand
    Ipamctl root;

    @Command(name = "claim", description = "Claim a block from a pool: --pool NAME | -l key=value, and --length N | --cidr CIDR.")
    int claim(@Option(names = "--name", paramLabel = "NAME", description = "The claim's name (default: prefix-<random>). A name is never allocated twice: a rerun answers AlreadyExists (exit 5).") String name,
              @Option(names = "--pool", paramLabel = "POOL") String pool,
              @Option(names = {"-l", "--selector"}, paramLabel = "KEY=VALUE", description = "Choose the pool by labels.") List<String> selector,
              @Option(names = "--pool-project", paramLabel = "PROJECT", description = "The project of a shared pool.") String poolProject,
              @Option(names = "--length", paramLabel = "N") Integer length,
              @Option(names = "--cidr", paramLabel = "CIDR", description = "Claim exactly this block.") String cidr,
              @Option(names = "--family", paramLabel = "IPv4|IPv6", description = "Default: from --cidr, else the pool's, else IPv4.") String family,
              @Option(names = "--reclaim-policy", paramLabel = "Delete|Retain") String reclaimPolicy,
              @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Labels of the claim.") List<String> labels,
              @Option(names = "--dry-run", description = "Show the exact block the claim would get; store nothing.") boolean dryRun,
              @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output) {
        Session session = root.session();
        IpamClient client = session.client();
        Map<String, String> poolLabels = Labels.parse(selector, "-l");
        String poolFamily = null;
        if (family == null && cidr == null && pool != null && poolProject == null) {
            poolFamily = familyOf(client, pool);
        }
        IPClaimSpec spec = Shortcuts.claimSpec(pool, poolLabels, poolProject, length, cidr, family, poolFamily, reclaimPolicy);
        String claimName = name != null ? name : "prefix-" + UUID.randomUUID().toString().substring(0, 8);
        ClaimRequest request = new ClaimRequest(session.namespace(), claimName, spec,
                labels == null ? null : Labels.parse(labels, "--label"), null, dryRun);
        IPClaim claim = client.claimObject(request);
        session.printer.objects(Kind.IPCLAIM, List.of(Codec.tree(claim)), output, false, true);
        return ExitCodes.OK;
    }

    @Command(name = "list", description = "List claims, optionally of one pool.")
    int list(@Option(names = "--pool", paramLabel = "POOL") String pool,
             @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR") String labels,
             @Option(names = {"-A", "--all-namespaces"}) boolean allNamespaces,
             @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=NAME:PATH,...") Output output) {
        String fields = pool == null ? null : "spec.poolRef.name=" + pool;
        return new Resources(root.session()).get(new Targets(Kind.IPCLAIM, List.of()), output, labels, fields, allNamespaces,
                false, Duration.ZERO, Resources.CHUNK_SIZE_DEFAULT);
    }

    @Command(name = "show", description = "Describe a claim (or print it with -o).")
    int show(@Parameters(paramLabel = "NAME") String name,
             @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table|wide|json|yaml|name|jsonpath=TEMPLATE|custom-columns=... (default: describe)") Output output) {
        Resources resources = new Resources(root.session());
        Targets target = new Targets(Kind.IPCLAIM, List.of(name));
        if (output == null) {
            return resources.describe(target, null, false);
        }
        return resources.get(target, output, null, null, false, false, Duration.ZERO, Resources.CHUNK_SIZE_DEFAULT);
    }

    @Command(name = "release", description = "Release claims: with reclaim policy Delete the blocks return to the pool.")
    int release(@Parameters(arity = "1..*", paramLabel = "NAME") List<String> names,
                @Option(names = "--dry-run", description = "Check on the server, release nothing.") boolean dryRun) {
        Session session = root.session();
        IpamClient client = session.client();
        int code = ExitCodes.OK;
        for (String name : names) {
            try {
                IPClaim claim = client.claims(session.namespace()).get(name);
                client.claims(session.namespace()).delete(name, dryRun);
                session.out.println("ipclaim/" + name + " released" + (claim.cidr() == null ? "" : " (" + claim.cidr() + ")")
                        + (dryRun ? " (server dry run)" : ""));
            } catch (IpamException e) {
                code = code == ExitCodes.OK ? Errors.report(session.err, e) : code;
            }
        }
        session.out.flush();
        return code;
    }

    private static String familyOf(IpamClient client, String pool) {
        IPPool found = client.pools().get(pool);
        if (found.status() != null && found.status().ipFamily() != null) {
            return found.status().ipFamily();
        }
        return found.spec() == null ? null : found.spec().ipFamily();
    }
}
