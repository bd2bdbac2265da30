package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The part of kubectl's JSONPath that {@code wait --for=jsonpath=...} needs: {@code {.a.b}},
 * array indexes {@code {.a[0].b}}, and {@code [?(@.type=="Ready")]} filters on conditions lists.
 */
final class JsonPath {
    private JsonPath() {
    }

    /** The node the expression names, or a missing node. */
    static JsonNode select(JsonNode root, String expression) {
        String path = expression.trim();
        if (path.startsWith("{") && path.endsWith("}")) {
            path = path.substring(1, path.length() - 1);
        }
        if (!path.startsWith(".")) {
            throw new UsageError("--for=jsonpath: '" + expression + "' must start with '.', e.g. '{.status.phase}'");
        }
        JsonNode node = root;
        int i = 0;
        while (i < path.length() && !node.isMissingNode()) {
            char c = path.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                node = node.path(path.substring(i + 1, end));
                i = end;
            } else if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw new UsageError("--for=jsonpath: unclosed '[' in '" + expression + "'");
                }
                String index = path.substring(i + 1, close);
                node = index.startsWith("?(") ? filter(node, index, expression) : node.path(parseIndex(index, expression));
                i = close + 1;
            } else {
                throw new UsageError("--for=jsonpath: unexpected '" + c + "' in '" + expression + "'");
            }
        }
        return node;
    }

    private static int parseIndex(String index, String expression) {
        try {
            return Integer.parseInt(index.trim());
        } catch (NumberFormatException e) {
            throw new UsageError("--for=jsonpath: '" + index + "' is not an index in '" + expression + "'");
        }
    }

    private static JsonNode filter(JsonNode array, String filter, String expression) {
        // ?(@.field=="value")
        String body = filter.substring(2, filter.length() - (filter.endsWith(")") ? 1 : 0));
        int eq = body.indexOf("==");
        if (!body.startsWith("@.") || eq < 0) {
            throw new UsageError("--for=jsonpath: only [?(@.field==\"value\")] filters are supported, in '" + expression + "'");
        }
        String field = body.substring(2, eq).trim();
        String value = body.substring(eq + 2).trim().replaceAll("^[\"']|[\"']$", "");
        for (JsonNode element : array) {
            if (value.equals(element.path(field).asText(null))) {
                return element;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
