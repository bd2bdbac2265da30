package dev.ipam.jepsen;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A writer of EDN (the data notation Jepsen's histories and results use). Maps whose keys are
 * {@link Keyword}s print as {@code {:k v}}, strings as strings; lists as vectors. Histories come out
 * one op per line inside a vector, as {@code jepsen.store} writes {@code history.edn}:
 * {@code {:index 0, :type :invoke, :f :claim, :value {...}, :process 3, :time 123}}.
 */
public final class Edn {
    private Edn() {
    }

    /** An EDN keyword, written {@code :name}. */
    public record Keyword(String name) {
        public Keyword {
            if (name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "-_?!*+./<>=".indexOf(ch) >= 0)) {
                throw new IllegalArgumentException("not an EDN keyword: " + name);
            }
        }

        @Override
        public String toString() {
            return ":" + name;
        }
    }

    public static Keyword kw(String name) {
        return new Keyword(name);
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    public static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("nil");
        } else if (value instanceof Keyword k) {
            out.append(k);
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Double d) {
            out.append(d.isNaN() || d.isInfinite() ? "nil" : d.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                write(e.getKey(), out);
                out.append(' ');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(' ');
                }
                first = false;
                write(item, out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("no EDN form for " + value.getClass().getName());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
            }
        }
        out.append('"');
    }

    /** One op as Jepsen writes it; the nemesis process is {@code :nemesis}. */
    public static Map<Object, Object> op(Op op) {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(kw("index"), op.index());
        map.put(kw("type"), kw(op.type().word()));
        map.put(kw("f"), kw(op.f()));
        map.put(kw("value"), value(op.value()));
        map.put(kw("process"), op.isNemesis() ? kw("nemesis") : (Object) op.process());
        map.put(kw("time"), op.timeNs());
        if (op.node() != null) {
            map.put(kw("node"), op.node());
        }
        if (op.error() != null) {
            map.put(kw("error"), op.error());
        }
        return map;
    }

    static Object value(OpValue value) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (value == null) {
            return null;
        } else if (value instanceof OpValue.Claim c) {
            map.put(kw("pool"), c.pool());
            map.put(kw("name"), c.name());
            map.put(kw("len"), c.prefixLength());
            map.put(kw("cidr"), c.cidr() == null ? null : c.cidr().toString());
        } else if (value instanceof OpValue.Release r) {
            map.put(kw("pool"), r.pool());
            map.put(kw("name"), r.name());
            map.put(kw("found"), r.found());
        } else if (value instanceof OpValue.Read r) {
            map.put(kw("pool"), r.pool());
            if (r.claims() == null) {
                map.put(kw("claims"), null);
            } else {
                Map<Object, Object> claims = new LinkedHashMap<>();
                r.claims().forEach((name, cidr) -> claims.put(name, cidr.toString()));
                map.put(kw("claims"), claims);
            }
        } else if (value instanceof OpValue.CreatePool p) {
            map.put(kw("pool"), p.pool());
            map.put(kw("cidr"), p.cidr().toString());
        } else if (value instanceof OpValue.Fault fault) {
            map.put(kw("fault"), kw(fault.fault()));
            map.put(kw("nodes"), List.copyOf(fault.nodes()));
            map.put(kw("detail"), fault.detail());
        }
        return map;
    }

    /** Writes {@code history.edn}: a vector of ops, one per line. */
    public static void writeHistory(List<Op> ops, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("[");
            for (int i = 0; i < ops.size(); i++) {
                out.write(i == 0 ? "" : "\n ");
                out.write(write(op(ops.get(i))));
            }
            out.write("]\n");
        }
    }
}
