package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386) and JSON patch (RFC 6902) over Jackson trees. Strategic merge patches
 * are applied as merge patches: none of these kinds has a list with merge keys a client may write, and
 * the directive keys ({@code $patch}, {@code $retainKeys}...) fail strict decoding as unknown fields.
 */
final class Patches {
    /** The most operations one JSON patch may hold. */
    static final int OPERATIONS_MAX = 1000;

    private Patches() {
    }

    /** Returns {@code target} with {@code patch} merged in (target is modified). */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : ((ObjectNode) patch).objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /** Applies an RFC 6902 patch (an array of operations) to {@code target}; a bad operation is a 422. */
    static JsonNode jsonPatch(JsonNode target, JsonNode operations) {
        if (!operations.isArray()) {
            throw ApiException.badRequest("a JSON patch must be an array of operations");
        }
        if (operations.size() > OPERATIONS_MAX) {
            throw ApiException.badRequest("a JSON patch may hold at most " + OPERATIONS_MAX + " operations");
        }
        JsonNode document = target.deepCopy();
        for (JsonNode operation : operations) {
            String op = operation.path("op").asText("");
            String path = operation.path("path").asText(null);
            if (path == null) {
                throw ApiException.badRequest("JSON patch operation without a path: " + operation);
            }
            switch (op) {
                case "add" -> document = add(document, path, required(operation, "value"));
                case "remove" -> document = remove(document, path);
                case "replace" -> document = add(remove(document, path), path, required(operation, "value"));
                case "move" -> {
                    String from = operation.path("from").asText(null);
                    JsonNode value = at(document, from);
                    document = add(remove(document, from), path, value);
                }
                case "copy" -> document = add(document, path, at(document, operation.path("from").asText(null)).deepCopy());
                case "test" -> {
                    if (!at(document, path).equals(required(operation, "value"))) {
                        throw new ApiException(422, "Invalid", "JSON patch test failed at " + path, java.util.List.of(),
                                null, null);
                    }
                }
                default -> throw ApiException.badRequest("unknown JSON patch operation \"" + op + "\"");
            }
        }
        return document;
    }

    private static JsonNode required(JsonNode operation, String field) {
        JsonNode value = operation.get(field);
        if (value == null) {
            throw ApiException.badRequest("JSON patch operation without \"" + field + "\": " + operation);
        }
        return value;
    }

    private static String[] pointer(String path) {
        if (path == null || (!path.isEmpty() && !path.startsWith("/"))) {
            throw ApiException.badRequest("not a JSON pointer: " + path);
        }
        if (path.isEmpty()) {
            return new String[0];
        }
        String[] parts = path.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].replace("~1", "/").replace("~0", "~");
        }
        return parts;
    }

    private static JsonNode at(JsonNode document, String path) {
        JsonNode node = document;
        for (String part : pointer(path)) {
            node = node.isArray() ? node.path(index(part, node.size() - 1)) : node.path(part);
            if (node.isMissingNode()) {
                throw new ApiException(422, "Invalid", "JSON patch path not found: " + path, java.util.List.of(), null, null);
            }
        }
        return node;
    }

    private static JsonNode add(JsonNode document, String path, JsonNode value) {
        String[] parts = pointer(path);
        if (parts.length == 0) {
            return value.deepCopy();
        }
        JsonNode parent = parentOf(document, parts, path);
        String last = parts[parts.length - 1];
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value.deepCopy());
        } else {
            ArrayNode array = (ArrayNode) parent;
            if (last.equals("-")) {
                array.add(value.deepCopy());
            } else {
                array.insert(index(last, array.size()), value.deepCopy());
            }
        }
        return document;
    }

    private static JsonNode remove(JsonNode document, String path) {
        String[] parts = pointer(path);
        if (parts.length == 0) {
            throw ApiException.badRequest("cannot remove the whole document");
        }
        JsonNode parent = parentOf(document, parts, path);
        String last = parts[parts.length - 1];
        if (parent.isObject()) {
            if (((ObjectNode) parent).remove(last) == null) {
                throw new ApiException(422, "Invalid", "JSON patch path not found: " + path, java.util.List.of(), null, null);
            }
        } else {
            ((ArrayNode) parent).remove(index(last, parent.size() - 1));
        }
        return document;
    }

    private static JsonNode parentOf(JsonNode document, String[] parts, String path) {
        JsonNode parent = document;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = parent.isArray() ? parent.path(index(parts[i], parent.size() - 1)) : parent.path(parts[i]);
        }
        if (!parent.isObject() && !parent.isArray()) {
            throw new ApiException(422, "Invalid", "JSON patch path not found: " + path, java.util.List.of(), null, null);
        }
        return parent;
    }

    private static int index(String part, int max) {
        try {
            int index = Integer.parseInt(part);
            if (index < 0 || index > max) {
                throw new NumberFormatException();
            }
            return index;
        } catch (NumberFormatException e) {
            throw new ApiException(422, "Invalid", "JSON patch array index out of range: " + part, java.util.List.of(),
                    null, null);
        }
    }
}
