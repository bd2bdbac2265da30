package dev.ipam.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code key=value} labels on the command line and in output. */
final class Labels {
    private Labels() {
    }

    /** Parses {@code a=b,c=d} (and repeated flags) into a map; the flag name goes into errors. */
    static Map<String, String> parse(List<String> terms, String flag) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (terms == null) {
            return labels;
        }
        for (String term : terms) {
            for (String pair : term.split(",")) {
                String p = pair.trim();
                int eq = p.indexOf('=');
                if (eq <= 0 || eq == p.length() - 1 || p.indexOf('=', eq + 1) >= 0 || p.contains("!")) {
                    throw new UsageError(flag + ": '" + p + "' is not key=value; write e.g. " + flag + " tier=web");
                }
                labels.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        return labels;
    }

    /** {@code a=b,c=d}, keys sorted. */
    static String format(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "<none>";
        }
        StringBuilder out = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> out.append(out.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return out.toString();
    }
}
