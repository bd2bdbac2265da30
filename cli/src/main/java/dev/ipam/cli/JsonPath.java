package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of kubectl's JSONPath that {@code -o jsonpath=}, {@code -o custom-columns=} and
 * {@code wait --for=jsonpath=} use. A path is {@code .a.b}, array indexes {@code [0]} and
 * {@code [-1]}, wildcards {@code [*]} and {@code .*}, and filters {@code [?(@.type=="Ready")]}
 * ({@code ==} or {@code !=}); {@code $} names the root and {@code @} (or a leading dot) the
 * current object. A path may match several nodes; missing fields match nothing.
 */
final class JsonPath {
    /** Evaluating a path never visits more nodes than this (a wildcard over a huge list stops). */
    static final int MATCHES_MAX = 1_000_000;

    private JsonPath() {
    }

    /** The first node the expression names ({@code {.status.phase}} or {@code .status.phase}), or a missing node. */
    static JsonNode select(JsonNode root, String expression) {
        String path = unbrace(expression);
        if (!path.startsWith(".") && !path.startsWith("$") && !path.startsWith("@")) {
            throw new UsageError("--for=jsonpath: '" + expression + "' must start with '.', e.g. '{.status.phase}'");
        }
        List<JsonNode> matches = evaluate(root, root, path, "--for=jsonpath", expression);
        return matches.isEmpty() ? MissingNode.getInstance() : matches.get(0);
    }

    /** Checks a path's syntax (against an empty object) so a typo fails before any request is made. */
    static void check(String path, String option, String expression) {
        evaluate(MissingNode.getInstance(), MissingNode.getInstance(), path, option, expression);
    }

    static String unbrace(String expression) {
        String path = expression.trim();
        return path.startsWith("{") && path.endsWith("}") ? path.substring(1, path.length() - 1).trim() : path;
    }

    /**
     * Every node {@code path} names, relative to {@code current} ({@code $} starts at {@code root}).
     * {@code option} and {@code expression} only word the error of a malformed path.
     */
    static List<JsonNode> evaluate(JsonNode root, JsonNode current, String path, String option, String expression) {
        List<JsonNode> nodes = new ArrayList<>();
        int i = 0;
        if (path.startsWith("$")) {
            nodes.add(root);
            i = 1;
        } else {
            nodes.add(current);
            i = path.startsWith("@") ? 1 : 0;
        }
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.') {
                if (i + 1 < path.length() && path.charAt(i + 1) == '.') {
                    throw new UsageError(option + ": recursive descent '..' is not supported, in '" + expression + "'");
                }
                int end = i + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                String field = path.substring(i + 1, end);
                nodes = field.isEmpty() ? nodes : field.equals("*") ? children(nodes) : fields(nodes, field);
                i = end;
            } else if (c == '[') {
                int close = closing(path, i);
                if (close < 0) {
                    throw new UsageError(option + ": unclosed '[' in '" + expression + "'");
                }
                String inside = path.substring(i + 1, close).trim();
                if (inside.equals("*")) {
                    nodes = children(nodes);
                } else if (inside.startsWith("?(") && inside.endsWith(")")) {
                    nodes = filter(nodes, inside.substring(2, inside.length() - 1), option, expression);
                } else if (inside.startsWith("'") || inside.startsWith("\"")) {
                    nodes = fields(nodes, inside.substring(1, inside.length() - 1));
                } else {
                    nodes = index(nodes, parseIndex(inside, option, expression));
                }
                i = close + 1;
            } else {
                throw new UsageError(option + ": unexpected '" + c + "' at " + i + " in '" + expression
                        + "'; paths look like .metadata.name or .items[*].status.allocatedCIDR");
            }
            if (nodes.size() > MATCHES_MAX) {
                throw new UsageError(option + ": '" + expression + "' matches more than " + MATCHES_MAX + " nodes");
            }
        }
        nodes.removeIf(JsonNode::isMissingNode);
        return nodes;
    }

    /** The index of the ']' that closes the '[' at {@code open}, skipping quoted text. */
    private static int closing(String path, int open) {
        char quote = 0;
        for (int i = open + 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ']') {
                return i;
            }
        }
        return -1;
    }

    private static List<JsonNode> fields(List<JsonNode> nodes, String field) {
        List<JsonNode> out = new ArrayList<>(nodes.size());
        for (JsonNode node : nodes) {
            JsonNode value = node.path(field);
            if (!value.isMissingNode()) {
                out.add(value);
            }
        }
        return out;
    }

    private static List<JsonNode> children(List<JsonNode> nodes) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode node : nodes) {
            node.elements().forEachRemaining(out::add);
        }
        return out;
    }

    private static List<JsonNode> index(List<JsonNode> nodes, int index) {
        List<JsonNode> out = new ArrayList<>(nodes.size());
        for (JsonNode node : nodes) {
            if (node.isArray()) {
                int at = index < 0 ? node.size() + index : index;
                if (at >= 0 && at < node.size()) {
                    out.add(node.get(at));
                }
            }
        }
        return out;
    }

    private static int parseIndex(String index, String option, String expression) {
        try {
            return Integer.parseInt(index.trim());
        } catch (NumberFormatException e) {
            throw new UsageError(option + ": '" + index + "' is not an index in '" + expression + "' (use a number, * or ?(@.field==\"value\"))");
        }
    }

    /** {@code @.field=="value"} or {@code @.field!="value"} over the elements of each array. */
    private static List<JsonNode> filter(List<JsonNode> arrays, String body, String option, String expression) {
        int not = body.indexOf("!=");
        int eq = not >= 0 ? not : body.indexOf("==");
        if (!body.startsWith("@") || eq < 0) {
            throw new UsageError(option + ": only [?(@.field==\"value\")] and != filters are supported, in '" + expression + "'");
        }
        String field = body.substring(1, eq).trim();
        String value = body.substring(eq + 2).trim().replaceAll("^[\"']|[\"']$", "");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode element : children(arrays)) {
            List<JsonNode> selected = evaluate(element, element, field, option, expression);
            boolean equal = !selected.isEmpty() && value.equals(text(selected.get(0)));
            if (equal == (not < 0)) {
                out.add(element);
            }
        }
        return out;
    }

    /** A matched node as kubectl prints it: scalars bare, objects and arrays as compact JSON. */
    static String text(JsonNode node) {
        return node.isValueNode() ? node.asText() : node.toString();
    }
}
