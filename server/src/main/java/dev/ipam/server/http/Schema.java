package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A structural schema node: what OpenAPI publishes for {@code kubectl explain} and client-side
 * validation, and what strict decoding checks request bodies against (unknown fields, wrong types,
 * enum values), so the published schema and the accepted input cannot drift apart.
 *
 * @param type                 object, string, integer, boolean or array
 * @param format               int32, int64, date-time... or null
 * @param description          shown by {@code kubectl explain}
 * @param properties           object fields in order (empty unless type is object)
 * @param items                the element schema of an array
 * @param additionalProperties the value schema of a map (labels, annotations), or null
 * @param enumValues           the allowed strings, or empty
 * @param required             required fields of an object
 * @param ref                  a $ref to a shared definition (ObjectMeta), or null
 * @param preserveUnknown      accept any content below (managedFields and the like)
 */
record Schema(String type, String format, String description, Map<String, Schema> properties, Schema items,
              Schema additionalProperties, List<String> enumValues, List<String> required, String ref,
              boolean preserveUnknown) {

    static Schema string(String description) {
        return new Schema("string", null, description, Map.of(), null, null, List.of(), List.of(), null, false);
    }

    static Schema dateTime(String description) {
        return new Schema("string", "date-time", description, Map.of(), null, null, List.of(), List.of(), null, false);
    }

    static Schema enumOf(String description, String... values) {
        return new Schema("string", null, description + " One of: " + String.join(", ", values) + ".", Map.of(), null, null,
                List.of(values), List.of(), null, false);
    }

    static Schema int32(String description) {
        return new Schema("integer", "int32", description, Map.of(), null, null, List.of(), List.of(), null, false);
    }

    static Schema int64(String description) {
        return new Schema("integer", "int64", description, Map.of(), null, null, List.of(), List.of(), null, false);
    }

    static Schema bool(String description) {
        return new Schema("boolean", null, description, Map.of(), null, null, List.of(), List.of(), null, false);
    }

    static Schema arrayOf(String description, Schema items) {
        return new Schema("array", null, description, Map.of(), items, null, List.of(), List.of(), null, false);
    }

    static Schema mapOf(String description, Schema values) {
        return new Schema("object", null, description, Map.of(), null, values, List.of(), List.of(), null, false);
    }

    static Schema ref(String description, String definition) {
        return new Schema(null, null, description, Map.of(), null, null, List.of(), List.of(), definition, false);
    }

    static Schema anything(String description) {
        return new Schema("object", null, description, Map.of(), null, null, List.of(), List.of(), null, true);
    }

    /** An object schema; {@code fields} alternates names and schemas. */
    static Schema object(String description, List<String> required, Object... fields) {
        Map<String, Schema> properties = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            properties.put((String) fields[i], (Schema) fields[i + 1]);
        }
        return new Schema("object", null, description, properties, null, null, List.of(), required, null, false);
    }

    /** The OpenAPI v3 form of this node. */
    ObjectNode toOpenApi(Wire wire, String refPrefix) {
        ObjectNode node = wire.object();
        if (ref != null) {
            // OpenAPI v3 ignores siblings of $ref; allOf keeps the description, as the apiserver does.
            node.putArray("allOf").addObject().put("$ref", refPrefix + ref);
            if (description != null) {
                node.put("description", description);
            }
            return node;
        }
        if (description != null) {
            node.put("description", description);
        }
        node.put("type", type);
        if (format != null) {
            node.put("format", format);
        }
        if (!enumValues.isEmpty()) {
            ArrayNode values = node.putArray("enum");
            enumValues.forEach(values::add);
        }
        if (!properties.isEmpty()) {
            ObjectNode props = node.putObject("properties");
            properties.forEach((name, schema) -> props.set(name, schema.toOpenApi(wire, refPrefix)));
        }
        if (!required.isEmpty()) {
            ArrayNode names = node.putArray("required");
            required.forEach(names::add);
        }
        if (items != null) {
            node.set("items", items.toOpenApi(wire, refPrefix));
        }
        if (additionalProperties != null) {
            node.set("additionalProperties", additionalProperties.toOpenApi(wire, refPrefix));
        }
        if (preserveUnknown) {
            node.put("x-kubernetes-preserve-unknown-fields", true);
        }
        return node;
    }

    /** One problem found by {@link #check}: a 400 for structure, a 422 for a bad enum value. */
    record Problem(String field, String message, boolean structural) {
    }

    /**
     * Checks {@code value} at {@code path} against this schema, appending every problem (up to
     * {@code problemsMax}). {@code definitions} resolves $refs; unknown fields are problems unless
     * {@code ignoreUnknown}.
     */
    void check(JsonNode value, String path, Map<String, Schema> definitions, boolean ignoreUnknown,
               List<Problem> problems, int problemsMax) {
        if (problems.size() >= problemsMax || value == null || value.isNull()) {
            return;
        }
        if (ref != null) {
            definitions.get(ref).check(value, path, definitions, ignoreUnknown, problems, problemsMax);
            return;
        }
        if (preserveUnknown) {
            return;
        }
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(new Problem(path, "expected an object, got " + describe(value), true));
                    return;
                }
                Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                    Schema child = additionalProperties != null ? additionalProperties : properties.get(field.getKey());
                    if (child == null) {
                        if (!ignoreUnknown) {
                            problems.add(new Problem(fieldPath, "unknown field \"" + fieldPath + "\"", true));
                        }
                        continue;
                    }
                    child.check(field.getValue(), fieldPath, definitions, ignoreUnknown, problems, problemsMax);
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(new Problem(path, "expected an array, got " + describe(value), true));
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    items.check(value.get(i), path + "[" + i + "]", definitions, ignoreUnknown, problems, problemsMax);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(new Problem(path, "expected a string, got " + describe(value), true));
                } else if (!enumValues.isEmpty() && !enumValues.contains(value.asText())) {
                    problems.add(new Problem(path, "Unsupported value: \"" + value.asText() + "\": supported values: \""
                            + String.join("\", \"", enumValues) + "\"", false));
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber() || (format != null && format.equals("int32") && !value.canConvertToInt())
                        || !value.canConvertToLong()) {
                    problems.add(new Problem(path, "expected an integer" + ("int32".equals(format) ? " (int32)" : "")
                            + ", got " + describe(value), true));
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(new Problem(path, "expected a boolean, got " + describe(value), true));
                }
            }
            default -> throw new IllegalStateException("schema type not handled: " + type);
        }
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    static List<Problem> problems() {
        return new ArrayList<>();
    }
}
