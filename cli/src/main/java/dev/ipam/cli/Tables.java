package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.Codec;
import dev.ipam.client.Kind;
import dev.ipam.client.model.IPAllocation;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.Project;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The columns of each kind (API.md), narrow and wide, and the text layout kubectl uses. */
final class Tables {
    private final Instant now;

    Tables(Instant now) {
        this.now = now;
    }

    /** The header of a kind's table. */
    List<String> header(Kind kind, boolean wide, boolean namespaceColumn) {
        List<String> header = new ArrayList<>();
        if (namespaceColumn) {
            header.add("NAMESPACE");
        }
        header.add("NAME");
        switch (kind) {
            case IPPOOL -> {
                header.addAll(List.of("CIDR", "PHASE", "FAMILY", "LARGEST FREE", "UTIL%", "AGE"));
                if (wide) {
                    header.addAll(List.of("STRATEGY", "PARENT", "VISIBILITY", "TOTAL", "AVAILABLE"));
                }
            }
            case IPCLAIM -> {
                header.addAll(List.of("PHASE", "CIDR", "POOL", "FAMILY", "LENGTH", "AGE"));
                if (wide) {
                    header.addAll(List.of("RECLAIM", "ALLOCATION", "POOL PROJECT"));
                }
            }
            case IPALLOCATION -> {
                header.addAll(List.of("CIDR", "POOL", "PHASE", "AGE"));
                if (wide) {
                    header.add("FAMILY");
                }
            }
            case PROJECT -> header.addAll(List.of("CLAIMS", "IPV4 ADDRESSES", "CLAIMS QUOTA", "IPV4 QUOTA", "AGE"));
        }
        return header;
    }

    /** One object's row. */
    List<String> row(Kind kind, JsonNode node, boolean wide, boolean namespaceColumn) {
        List<String> row = new ArrayList<>();
        if (namespaceColumn) {
            row.add(node.path("metadata").path("namespace").asText(""));
        }
        row.add(node.path("metadata").path("name").asText(""));
        String age = age(node.path("metadata").path("creationTimestamp").asText(null));
        switch (kind) {
            case IPPOOL -> {
                IPPool pool = Codec.convert(node, IPPool.class);
                var spec = pool.spec();
                var status = pool.status();
                row.add(cidrOf(pool));
                row.add(status == null ? "" : text(status.phase()));
                row.add(status != null && status.ipFamily() != null ? status.ipFamily() : spec == null ? "" : text(spec.ipFamily()));
                row.add(status == null || status.largestFreePrefix() == null ? "" : status.largestFreePrefix() == 0 ? "none" : "/" + status.largestFreePrefix());
                row.add(status == null || status.utilizationPercent() == null ? "" : percent(status.utilizationPercent()));
                row.add(age);
                if (wide) {
                    row.add(spec == null || spec.allocation() == null || spec.allocation().strategy() == null ? "FirstFit" : spec.allocation().strategy());
                    row.add(spec == null || spec.parentPoolRef() == null ? "" : text(spec.parentPoolRef().name()));
                    row.add(spec == null ? "" : text(spec.visibility()));
                    row.add(status == null || status.capacity() == null ? "" : count(status.capacity().total()));
                    row.add(status == null || status.capacity() == null ? "" : count(status.capacity().available()));
                }
            }
            case IPCLAIM -> {
                IPClaim claim = Codec.convert(node, IPClaim.class);
                var spec = claim.spec();
                row.add(claim.status() == null ? "" : text(claim.status().phase()));
                row.add(text(claim.cidr()));
                row.add(poolOf(claim));
                row.add(spec == null ? "" : text(spec.ipFamily()));
                row.add(spec == null || spec.prefixLength() == null ? "" : "/" + spec.prefixLength());
                row.add(age);
                if (wide) {
                    row.add(spec == null || spec.reclaimPolicy() == null ? "Delete" : spec.reclaimPolicy());
                    row.add(claim.status() == null || claim.status().boundAllocationRef() == null ? "" : text(claim.status().boundAllocationRef().name()));
                    row.add(spec != null && spec.poolRef() != null && spec.poolRef().projectRef() != null ? text(spec.poolRef().projectRef().name()) : "");
                }
            }
            case IPALLOCATION -> {
                IPAllocation allocation = Codec.convert(node, IPAllocation.class);
                row.add(text(allocation.cidr()));
                row.add(allocation.spec() == null || allocation.spec().poolRef() == null ? "" : text(allocation.spec().poolRef().name()));
                row.add(allocation.status() == null ? "" : text(allocation.status().phase()));
                row.add(age);
                if (wide) {
                    row.add(allocation.spec() == null ? "" : text(allocation.spec().ipFamily()));
                }
            }
            case PROJECT -> {
                Project project = Codec.convert(node, Project.class);
                var usage = project.status() == null ? null : project.status().usage();
                var quota = project.spec() == null ? null : project.spec().quota();
                row.add(usage == null ? "" : count(usage.claims()));
                row.add(usage == null ? "" : count(usage.ipv4Addresses()));
                row.add(quota == null || quota.claims() == null ? "none" : count(quota.claims()));
                row.add(quota == null || quota.ipv4Addresses() == null ? "none" : count(quota.ipv4Addresses()));
                row.add(age);
            }
        }
        return row;
    }

    /** Rows laid out in columns separated by three spaces, like kubectl. */
    static String layout(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns && i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 3));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String cidrOf(IPPool pool) {
        if (pool.status() != null && pool.status().allocatedCIDR() != null) {
            return pool.status().allocatedCIDR();
        }
        return pool.spec() == null ? "" : text(pool.spec().cidr());
    }

    static String poolOf(IPClaim claim) {
        var spec = claim.spec();
        if (spec == null) {
            return "";
        }
        if (spec.poolRef() != null) {
            return text(spec.poolRef().name());
        }
        if (spec.poolSelector() != null && spec.poolSelector().matchLabels() != null) {
            return "selector(" + Labels.format(spec.poolSelector().matchLabels()) + ")";
        }
        return "";
    }

    static String percent(double value) {
        if (value == Math.rint(value)) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String count(Long value) {
        if (value == null) {
            return "";
        }
        return value == Long.MAX_VALUE ? ">=2^63" : Long.toString(value);
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    /** kubectl's age: 42s, 5m, 3h, 12d, 2y. */
    String age(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        Duration age;
        try {
            age = Duration.between(Instant.parse(timestamp), now);
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
        long seconds = Math.max(0, age.getSeconds());
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 2 * 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 2 * 86400) {
            return seconds / 3600 + "h";
        }
        if (seconds < 2 * 365 * 86400L) {
            return seconds / 86400 + "d";
        }
        return seconds / (365 * 86400L) + "y";
    }
}
