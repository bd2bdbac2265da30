package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What server-side apply remembers between applies: for each field manager, the label and annotation
 * keys its last applied configuration set, kept in the object's annotation {@link #ANNOTATION}. A
 * key that a manager applied before and leaves out now is removed, unless another manager applied
 * it too, as Kubernetes removes fields a manager stops applying. This matters for pools: a label
 * dropped from a GitOps repository must stop matching claims' pool selectors.
 *
 * <p>Only labels and annotations are tracked. Spec fields a manager stops applying keep their
 * values; there is no conflict detection between managers (every apply is forced), and a PUT
 * replaces the annotation with whatever its body says.
 */
final class AppliedFields {
    /** JSON: {@code {"manager": {"labels": [...], "annotations": [...]}}}, managers and keys sorted. */
    static final String ANNOTATION = "ipam.miloapis.com/applied-fields";
    /** Managers remembered on one object, at most; an apply beyond it is refused (422). */
    static final int MANAGERS_MAX = 16;
    private static final List<String> MAPS = List.of("labels", "annotations");

    private AppliedFields() {
    }

    /**
     * Turns an apply configuration into the merge patch that applies it: the configuration, nulls
     * for the keys {@code manager} dropped since its last apply (and nobody else applies), and the
     * updated {@link #ANNOTATION}. {@code current} is the object now, or null when the apply creates it.
     */
    static ObjectNode patch(ObjectMapper json, ObjectNode applied, JsonNode current, String manager) {
        ObjectNode patch = applied.deepCopy();
        ObjectNode metadata = patch.has("metadata") && patch.get("metadata").isObject()
                ? (ObjectNode) patch.get("metadata") : patch.putObject("metadata");
        Map<String, Map<String, TreeSet<String>>> managers = read(json, current);
        Map<String, TreeSet<String>> now = new TreeMap<>();
        for (String map : MAPS) {
            TreeSet<String> keys = new TreeSet<>();
            JsonNode given = metadata.path(map);
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isNull() && !entry.getKey().equals(ANNOTATION)) {
                    keys.add(entry.getKey());
                }
            }
            now.put(map, keys);
        }
        Map<String, TreeSet<String>> before = managers.getOrDefault(manager, Map.of());
        for (String map : MAPS) {
            for (String key : before.getOrDefault(map, new TreeSet<>())) {
                if (!now.get(map).contains(key) && !appliedByOthers(managers, manager, map, key)) {
                    map(metadata, map).putNull(key);
                }
            }
        }
        if (now.get("labels").isEmpty() && now.get("annotations").isEmpty()) {
            managers.remove(manager);
        } else {
            managers.put(manager, now);
        }
        if (managers.size() > MANAGERS_MAX) {
            throw ApiException.invalid("PatchOptions", "", "fieldManager", "at most " + MANAGERS_MAX
                    + " field managers apply labels or annotations to one object; " + manager + " would be one more");
        }
        boolean recorded = current != null && current.path("metadata").path("annotations").has(ANNOTATION);
        if (managers.isEmpty()) {
            if (recorded) {
                map(metadata, "annotations").putNull(ANNOTATION);
            }
        } else {
            try {
                map(metadata, "annotations").put(ANNOTATION, json.writeValueAsString(managers));
            } catch (IOException e) {
                throw new IllegalStateException("cannot encode " + ANNOTATION, e);
            }
        }
        return patch;
    }

    private static ObjectNode map(ObjectNode metadata, String name) {
        JsonNode node = metadata.get(name);
        return node != null && node.isObject() ? (ObjectNode) node : metadata.putObject(name);
    }

    private static boolean appliedByOthers(Map<String, Map<String, TreeSet<String>>> managers, String manager,
                                           String map, String key) {
        for (Map.Entry<String, Map<String, TreeSet<String>>> other : managers.entrySet()) {
            if (!other.getKey().equals(manager) && other.getValue().getOrDefault(map, new TreeSet<>()).contains(key)) {
                return true;
            }
        }
        return false;
    }

    /** The managers' keys as the object records them; an annotation that is not ours to read counts as none. */
    private static Map<String, Map<String, TreeSet<String>>> read(ObjectMapper json, JsonNode current) {
        Map<String, Map<String, TreeSet<String>>> managers = new TreeMap<>();
        if (current == null) {
            return managers;
        }
        JsonNode text = current.path("metadata").path("annotations").path(ANNOTATION);
        if (!text.isTextual()) {
            return managers;
        }
        JsonNode tree;
        try {
            tree = json.readTree(text.asText());
        } catch (IOException e) {
            return managers;
        }
        if (tree == null || !tree.isObject()) {
            return managers;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Map<String, TreeSet<String>> keys = new TreeMap<>();
            for (String map : MAPS) {
                TreeSet<String> set = new TreeSet<>();
                entry.getValue().path(map).forEach(key -> {
                    if (key.isTextual()) {
                        set.add(key.asText());
                    }
                });
                keys.put(map, set);
            }
            managers.put(entry.getKey(), keys);
        }
        return managers;
    }
}
