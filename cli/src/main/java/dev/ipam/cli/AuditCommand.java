package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ipamctl audit list}: the project's audit trail, kept in the replicated state. */
@Command(name = "audit", description = "The project's audit trail: who changed what, when, from where, with what result.")
final class AuditCommand {
    @ParentCommand
    Ipamctl root;

    @Command(name = "list", description = "Accepted changes of the project, oldest first (project admins).")
    int list(@Option(names = "--limit", defaultValue = "100", description = "entries per page (at most 1000)") int limit,
             @Option(names = "--continue", paramLabel = "TOKEN", description = "the token a previous page printed") String cont,
             @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|json") Format output) {
        Session session = root.session();
        JsonNode page = session.client().audit(limit, cont);
        if (output == Format.json) {
            session.out.println(page.toPrettyString());
        } else {
            session.out.printf("%-8s %-24s %-12s %-15s %-16s %-28s %s%n", "INDEX", "TIME", "USER", "ADDRESS", "COMMAND",
                    "OBJECT", "CODE");
            for (JsonNode e : page.path("items")) {
                String object = e.path("kind").asText() + "/" + (e.path("namespace").asText().isEmpty() ? ""
                        : e.path("namespace").asText() + "/") + e.path("name").asText();
                session.out.printf("%-8s %-24s %-12s %-15s %-16s %-28s %s%n", e.path("index").asText(), e.path("time").asText(),
                        e.path("user").asText(), e.path("address").asText(), e.path("command").asText(), object,
                        e.path("code").asText());
            }
            String next = page.path("metadata").path("continue").asText();
            if (!next.isEmpty()) {
                session.out.println("more: ipamctl audit list --continue " + next);
            }
        }
        session.out.flush();
        return ExitCodes.OK;
    }

    /** {@code ipamctl address history IP}: who held the blocks containing an address, and when. */
    @Command(name = "address", description = "Address history: who held the blocks containing an address, and when.")
    static final class AddressCommand {
        @ParentCommand
        Ipamctl root;

        @Command(name = "history", description = "Every retained held/released event of the blocks containing IP"
                + " that the project may see (its pools' blocks, and blocks it held).")
        int history(@Parameters(paramLabel = "IP") String ip,
                    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|json") Format output) {
            Session session = root.session();
            JsonNode events = session.client().addressHistory(ip);
            if (output == Format.json) {
                session.out.println(events.toPrettyString());
            } else {
                session.out.printf("%-20s %-9s %-8s %-24s %-20s %-24s %s%n", "CIDR", "EVENT", "INDEX", "TIME", "POOL", "HOLDER",
                        "ALLOCATION");
                for (JsonNode e : events.path("items")) {
                    session.out.printf("%-20s %-9s %-8s %-24s %-20s %-24s %s%n", e.path("cidr").asText(), e.path("event").asText(),
                            e.path("index").asText(), e.path("time").asText(),
                            e.path("poolProject").asText() + "/" + e.path("pool").asText(),
                            e.path("holderProject").asText() + "/" + e.path("namespace").asText() + "/" + e.path("claim").asText(),
                            e.path("allocation").asText());
                }
            }
            session.out.flush();
            return ExitCodes.OK;
        }
    }
}
