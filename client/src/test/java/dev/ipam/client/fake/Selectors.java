package dev.ipam.client.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

/** Kubernetes label and field selectors, the subset the fake needs: =, ==, !=, key, !key. */
final class Selectors {
    private Selectors() {
    }

    static Predicate<JsonNode> labels(String selector) {
        Predicate<JsonNode> all = object -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (t.isEmpty() || t.contains(" in ") || t.contains("(")) {
                throw new IllegalArgumentException("unable to parse requirement: '" + t + "'");
            }
            all = all.and(term(t, true));
        }
        return all;
    }

    static Predicate<JsonNode> fields(String selector) {
        Predicate<JsonNode> all = object -> true;
        if (selector == null || selector.isBlank()) {
            return all;
        }
        for (String term : selector.split(",")) {
            String t = term.trim();
            if (!t.contains("=")) {
                throw new IllegalArgumentException("invalid field selector: '" + t + "'");
            }
            all = all.and(term(t, false));
        }
        return all;
    }

    private static Predicate<JsonNode> term(String t, boolean labels) {
        int not = t.indexOf("!=");
        int eq = t.indexOf('=');
        if (not > 0) {
            String key = t.substring(0, not);
            String value = t.substring(not + 2);
            return object -> !value.equals(valueOf(object, key, labels));
        }
        if (eq > 0) {
            String key = t.substring(0, eq);
            String value = t.substring(t.startsWith("=", eq + 1) ? eq + 2 : eq + 1);
            if (!key.matches("[A-Za-z0-9._/-]+")) {
                throw new IllegalArgumentException("invalid key: '" + key + "'");
            }
            return object -> value.equals(valueOf(object, key, labels));
        }
        if (t.startsWith("!")) {
            String key = t.substring(1);
            return object -> valueOf(object, key, true) == null;
        }
        if (!t.matches("[A-Za-z0-9._/-]+")) {
            throw new IllegalArgumentException("unable to parse requirement: '" + t + "'");
        }
        return object -> valueOf(object, t, true) != null;
    }

    private static String valueOf(JsonNode object, String key, boolean labels) {
        if (labels) {
            JsonNode value = object.path("metadata").path("labels").path(key);
            return value.isMissingNode() || value.isNull() ? null : value.asText();
        }
        JsonNode node = object;
        for (String part : key.split("\\.")) {
            node = node.path(part);
        }
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }
}
