package dev.ipam.cli;

import dev.ipam.client.Kind;
import java.util.ArrayList;
import java.util.List;

/** The {@code KIND [NAME...]} or {@code KIND/NAME...} arguments of kubectl-style verbs. */
record Targets(Kind kind, List<String> names) {

    static Targets parse(List<String> args, String verb) {
        if (args == null || args.isEmpty()) {
            throw new UsageError(verb + ": name a kind, e.g. 'ipamctl " + verb + " ipclaims' or 'ipamctl " + verb
                    + " ipclaim/NAME'; kinds: " + Kind.accepted());
        }
        String first = args.get(0);
        if (first.contains("/")) {
            Kind kind = null;
            List<String> names = new ArrayList<>();
            for (String arg : args) {
                int slash = arg.indexOf('/');
                if (slash <= 0 || slash == arg.length() - 1) {
                    throw new UsageError(verb + ": '" + arg + "' is not KIND/NAME; do not mix KIND/NAME with bare names");
                }
                Kind k = kind(arg.substring(0, slash), verb);
                if (kind != null && k != kind) {
                    throw new UsageError(verb + ": one kind per command; got " + kind.shortName() + " and " + k.shortName());
                }
                kind = k;
                names.add(arg.substring(slash + 1));
            }
            return new Targets(kind, names);
        }
        return new Targets(kind(first, verb), List.copyOf(args.subList(1, args.size())));
    }

    static Kind kind(String text, String verb) {
        return Kind.parse(text).orElseThrow(() -> new UsageError(verb + ": unknown kind '" + text
                + "'; use one of " + Kind.accepted()));
    }
}
