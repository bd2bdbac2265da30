package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * Server-side printing: the {@code meta.k8s.io/v1 Table} kubectl asks for, with the columns of
 * API.md per kind. Columns of priority 1 are the extras {@code -o wide} shows.
 */
final class Tables {
    private Tables() {
    }

    record Column(String name, String type, String format, int priority, String description,
                  Function<JsonNode, Object> cell) {
    }

    static List<Column> columns(Kind kind) {
        Column name = new Column("Name", "string", "name", 0,
                "Name must be unique within a namespace. More info: http://kubernetes.io/docs/user-guide/identifiers#names",
                o -> text(o, "metadata.name"));
        Column age = new Column("Age", "date", "", 0,
                "CreationTimestamp is the time the object was created.", o -> null);
        return switch (kind) {
            case IPPOOL -> List.of(name,
                    new Column("CIDR", "string", "", 0, "The block of the pool (spec.cidr or, for a child pool, status.allocatedCIDR).",
                            o -> firstText(o, "status.allocatedCIDR", "spec.cidr")),
                    new Column("Phase", "string", "", 0, "The pool's phase.", o -> text(o, "status.phase")),
                    new Column("Family", "string", "", 0, "IPv4 or IPv6.", o -> firstText(o, "status.ipFamily", "spec.ipFamily")),
                    new Column("Largest Free", "integer", "", 0, "The prefix length of the largest free block (0 = exhausted).",
                            o -> number(o, "status.largestFreePrefix")),
                    new Column("Util%", "integer", "", 0, "Percentage of the pool's addresses allocated.",
                            o -> number(o, "status.utilizationPercent")),
                    age,
                    new Column("Parent", "string", "", 1, "The pool this one is carved from.", o -> text(o, "spec.parentPoolRef.name")),
                    new Column("Strategy", "string", "", 1, "How blocks are chosen.", o -> text(o, "spec.allocation.strategy")),
                    new Column("Visibility", "string", "", 1, "Who may claim from the pool.", o -> text(o, "spec.visibility")),
                    new Column("Available", "string", "", 1, "Addresses not allocated.", o -> text(o, "status.capacity.available")));
            case IPCLAIM -> List.of(name,
                    new Column("Phase", "string", "", 0, "The claim's phase.", o -> text(o, "status.phase")),
                    new Column("CIDR", "string", "", 0, "The block bound to the claim.", o -> text(o, "status.allocatedCIDR")),
                    new Column("Pool", "string", "", 0, "The pool asked for by reference.", o -> text(o, "spec.poolRef.name")),
                    new Column("Family", "string", "", 0, "IPv4 or IPv6.", o -> text(o, "spec.ipFamily")),
                    new Column("Length", "integer", "", 0, "The prefix length asked for.", o -> number(o, "spec.prefixLength")),
                    age,
                    new Column("Reclaim", "string", "", 1, "What happens to the block when the claim goes.",
                            o -> text(o, "spec.reclaimPolicy")),
                    new Column("Allocation", "string", "", 1, "The IPAllocation holding the block.",
                            o -> text(o, "status.boundAllocationRef.name")));
            case IPALLOCATION -> List.of(name,
                    new Column("CIDR", "string", "", 0, "The allocated block.", o -> text(o, "status.allocatedCIDR")),
                    new Column("Pool", "string", "", 0, "The pool the block is carved from.", o -> text(o, "spec.poolRef.name")),
                    new Column("Phase", "string", "", 0, "The allocation's phase.", o -> text(o, "status.phase")),
                    age,
                    new Column("Family", "string", "", 1, "IPv4 or IPv6.", o -> text(o, "spec.ipFamily")),
                    new Column("Pool Project", "string", "", 1, "The project of the pool, when not this one.",
                            o -> text(o, "spec.poolRef.projectRef.name")));
            case PROJECT -> List.of(name,
                    new Column("Claims", "string", "", 0, "Live claims / the quota.",
                            o -> usage(o, "claims")),
                    new Column("IPv4 Addresses", "string", "", 0, "IPv4 addresses held / the quota.",
                            o -> usage(o, "ipv4Addresses")),
                    age);
        };
    }

    /** A Table of the given objects; {@code includeObject} is None, Metadata (default) or Object. */
    static ObjectNode table(Wire wire, Kind kind, List<? extends JsonNode> objects, String resourceVersion,
                            String continueToken, String includeObject, Instant now) {
        ObjectNode table = wire.object();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        if (resourceVersion != null) {
            metadata.put("resourceVersion", resourceVersion);
        }
        if (continueToken != null && !continueToken.isEmpty()) {
            metadata.put("continue", continueToken);
        }
        List<Column> columns = columns(kind);
        ArrayNode definitions = table.putArray("columnDefinitions");
        for (Column column : columns) {
            ObjectNode definition = definitions.addObject();
            definition.put("name", column.name());
            definition.put("type", column.type());
            definition.put("format", column.format());
            definition.put("description", column.description());
            definition.put("priority", column.priority());
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column column : columns) {
                if (column.name().equals("Age")) {
                    cells.add(age(text(object, "metadata.creationTimestamp"), now));
                    continue;
                }
                Object value = column.cell().apply(object);
                if (value == null) {
                    cells.add(column.type().equals("integer") ? null : "");
                } else if (value instanceof Long number) {
                    cells.add(number);
                } else {
                    cells.add(value.toString());
                }
            }
            if (!"None".equals(includeObject)) {
                row.set("object", "Object".equals(includeObject) ? object : partial(wire, object));
            }
        }
        return table;
    }

    /** The object reduced to its metadata, as {@code PartialObjectMetadata}. */
    static ObjectNode partial(Wire wire, JsonNode object) {
        ObjectNode partial = wire.object();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", object.path("metadata").deepCopy());
        return partial;
    }

    private static String usage(JsonNode object, String what) {
        String used = text(object, "status.usage." + what);
        String quota = text(object, "spec.quota." + what);
        return (used == null ? "0" : used) + "/" + (quota == null ? "-" : quota);
    }

    static String text(JsonNode object, String path) {
        JsonNode node = object;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static String firstText(JsonNode object, String path, String otherPath) {
        String first = text(object, path);
        return first != null && !first.isEmpty() ? first : text(object, otherPath);
    }

    private static Long number(JsonNode object, String path) {
        JsonNode node = object;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node.isNumber() ? node.asLong() : null;
    }

    static String age(String timestamp, Instant now) {
        if (timestamp == null) {
            return "<unknown>";
        }
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    /** kubectl's rendering of an age (k8s.io/apimachinery duration.HumanDuration). */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return (hours / 24) + "d";
        } else if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + days + "d";
        }
        return (hours / 24 / 365) + "y";
    }
}
