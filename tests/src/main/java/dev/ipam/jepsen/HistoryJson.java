package dev.ipam.jepsen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The history as JSON lines, one op per line, in Jepsen's op shape:
 * {@code {"index":0,"type":"invoke","f":"claim","value":{...},"process":3,"node":"n1","time":123,"error":null}}.
 * The nemesis process is written as the string {@code "nemesis"}. Format version 1; readers reject
 * lines they cannot map back rather than guess.
 */
public final class HistoryJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HistoryJson() {
    }

    public static String line(Op op) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("index", op.index());
        node.put("type", op.type().word());
        node.put("f", op.f());
        node.set("value", value(op.value()));
        if (op.isNemesis()) {
            node.put("process", "nemesis");
        } else {
            node.put("process", op.process());
        }
        node.put("node", op.node());
        node.put("time", op.timeNs());
        node.put("error", op.error());
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode op " + op.index(), e);
        }
    }

    private static JsonNode value(OpValue value) {
        ObjectNode node = MAPPER.createObjectNode();
        if (value == null) {
            return MAPPER.nullNode();
        }
        if (value instanceof OpValue.Claim c) {
            node.put("pool", c.pool());
            node.put("name", c.name());
            node.put("len", c.prefixLength());
            node.put("cidr", c.cidr() == null ? null : c.cidr().toString());
        } else if (value instanceof OpValue.Release r) {
            node.put("pool", r.pool());
            node.put("name", r.name());
            if (r.found() == null) {
                node.putNull("found");
            } else {
                node.put("found", r.found());
            }
        } else if (value instanceof OpValue.Read r) {
            node.put("pool", r.pool());
            if (r.claims() == null) {
                node.putNull("claims");
            } else {
                ObjectNode claims = node.putObject("claims");
                r.claims().forEach((name, cidr) -> claims.put(name, cidr.toString()));
            }
        } else if (value instanceof OpValue.CreatePool p) {
            node.put("pool", p.pool());
            node.put("cidr", p.cidr().toString());
        } else if (value instanceof OpValue.Fault fault) {
            node.put("fault", fault.fault());
            fault.nodes().forEach(node.putArray("nodes")::add);
            node.put("detail", fault.detail());
        }
        return node;
    }

    public static void write(List<Op> ops, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Op op : ops) {
                out.write(line(op));
                out.write('\n');
            }
        }
    }

    public static List<Op> read(Path file) throws IOException {
        List<Op> ops = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int lineNumber = 0;
            while ((text = in.readLine()) != null) {
                lineNumber++;
                if (!text.isBlank()) {
                    try {
                        ops.add(parse(text));
                    } catch (RuntimeException e) {
                        throw new IOException(file + ":" + lineNumber + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        return ops;
    }

    public static Op parse(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode processNode = node.get("process");
        int process = processNode.isTextual() && processNode.asText().equals("nemesis") ? Op.NEMESIS : processNode.asInt();
        String f = node.get("f").asText();
        return new Op(node.get("index").asLong(), Op.Type.of(node.get("type").asText()), f,
                parseValue(f, node.get("value")), process, text(node, "node"), node.get("time").asLong(),
                text(node, "error"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode child = node.get(field);
        return child == null || child.isNull() ? null : child.asText();
    }

    private static OpValue parseValue(String f, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.has("fault")) {
            List<String> nodes = new ArrayList<>();
            value.path("nodes").forEach(n -> nodes.add(n.asText()));
            return new OpValue.Fault(value.get("fault").asText(), nodes, text(value, "detail"));
        }
        String pool = text(value, "pool");
        switch (f) {
            case Op.CLAIM -> {
                String cidr = text(value, "cidr");
                return new OpValue.Claim(pool, text(value, "name"), value.get("len").asInt(),
                        cidr == null ? null : Cidr.parse(cidr));
            }
            case Op.RELEASE -> {
                JsonNode found = value.get("found");
                return new OpValue.Release(pool, text(value, "name"),
                        found == null || found.isNull() ? null : found.asBoolean());
            }
            case Op.READ, Op.FINAL_READ, Op.LOCAL_READ -> {
                JsonNode claims = value.get("claims");
                if (claims == null || claims.isNull()) {
                    return new OpValue.Read(pool, null);
                }
                SortedMap<String, Cidr> map = new TreeMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = claims.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), Cidr.parse(e.getValue().asText()));
                }
                return new OpValue.Read(pool, map);
            }
            case Op.CREATE_POOL -> {
                return new OpValue.CreatePool(pool, Cidr.parse(text(value, "cidr")));
            }
            default -> throw new IllegalArgumentException("unknown f with a value: " + f);
        }
    }
}
