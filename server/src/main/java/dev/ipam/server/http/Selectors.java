package dev.ipam.server.http;

import dev.ipam.core.model.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Label and field selectors in the Kubernetes query syntax, parsed once per request and matched
 * against an object's JSON. A bad selector is a 400 naming the part that failed to parse.
 */
final class Selectors {
    /** The most requirements one selector may hold. */
    static final int REQUIREMENTS_MAX = 64;
    /** The most values one {@code in}/{@code notin} set may hold. */
    static final int VALUES_MAX = 256;

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private Selectors() {
    }

    enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    record Requirement(String key, Op op, Set<String> values) {
        boolean matches(String actual) {
            return switch (op) {
                case EQUALS, IN -> actual != null && values.contains(actual);
                case NOT_EQUALS, NOT_IN -> actual == null || !values.contains(actual);
                case EXISTS -> actual != null;
                case NOT_EXISTS -> actual == null;
            };
        }
    }

    /** A conjunction of requirements on labels (or fields); empty matches everything. */
    record Selector(List<Requirement> requirements, boolean onFields) {
        static final Selector EVERYTHING = new Selector(List.of(), false);

        boolean matches(Resource resource) {
            for (Requirement requirement : requirements) {
                String actual = onFields
                        ? ModelJson.field(resource, requirement.key)
                        : resource.metadata().labels().get(requirement.key);
                if (!requirement.matches(actual)) {
                    return false;
                }
            }
            return true;
        }

        /** The value a requirement pins the given key to ({@code key=value}), or null. */
        String pinned(String key) {
            for (Requirement requirement : requirements) {
                if (requirement.key.equals(key) && requirement.op == Op.EQUALS) {
                    return requirement.values.iterator().next();
                }
            }
            return null;
        }
    }

    static Selector labels(String text) {
        if (text == null || text.isBlank()) {
            return Selector.EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            if (requirements.size() == REQUIREMENTS_MAX) {
                throw ApiException.badRequest("labelSelector has more than " + REQUIREMENTS_MAX + " requirements");
            }
            requirements.add(labelRequirement(part.trim(), text));
        }
        return new Selector(List.copyOf(requirements), false);
    }

    static Selector fields(String text, Kind kind) {
        if (text == null || text.isBlank()) {
            return new Selector(List.of(), true);
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String part : text.split(",")) {
            if (requirements.size() == REQUIREMENTS_MAX) {
                throw ApiException.badRequest("fieldSelector has more than " + REQUIREMENTS_MAX + " requirements");
            }
            String p = part.trim();
            Op op;
            int at;
            int width;
            if ((at = p.indexOf("!=")) > 0) {
                op = Op.NOT_EQUALS;
                width = 2;
            } else if ((at = p.indexOf("==")) > 0) {
                op = Op.EQUALS;
                width = 2;
            } else if ((at = p.indexOf('=')) > 0) {
                op = Op.EQUALS;
                width = 1;
            } else {
                throw ApiException.badRequest("invalid fieldSelector \"" + text + "\": \"" + p
                        + "\" is not field=value, field==value or field!=value");
            }
            String field = p.substring(0, at).trim();
            String value = p.substring(at + width).trim();
            if (!kind.selectable(field)) {
                throw ApiException.badRequest("field label not supported: " + field + " (" + kind.plural
                        + " select on metadata.name, metadata.namespace, " + String.join(", ", kind.selectableFields) + ")");
            }
            requirements.add(new Requirement(field, op, Set.of(value)));
        }
        return new Selector(List.copyOf(requirements), true);
    }

    private static Requirement labelRequirement(String part, String whole) {
        if (part.isEmpty()) {
            throw ApiException.badRequest("invalid labelSelector \"" + whole + "\": empty requirement");
        }
        if (part.startsWith("!")) {
            return new Requirement(key(part.substring(1).trim(), whole), Op.NOT_EXISTS, Set.of());
        }
        int at;
        if ((at = part.indexOf("!=")) > 0) {
            return new Requirement(key(part.substring(0, at).trim(), whole), Op.NOT_EQUALS,
                    Set.of(value(part.substring(at + 2).trim(), whole)));
        }
        if ((at = part.indexOf("==")) > 0) {
            return new Requirement(key(part.substring(0, at).trim(), whole), Op.EQUALS,
                    Set.of(value(part.substring(at + 2).trim(), whole)));
        }
        if ((at = part.indexOf('=')) > 0) {
            return new Requirement(key(part.substring(0, at).trim(), whole), Op.EQUALS,
                    Set.of(value(part.substring(at + 1).trim(), whole)));
        }
        String[] words = part.split("\\s+", 2);
        if (words.length == 2) {
            String rest = words[1].trim();
            Op op;
            if (rest.startsWith("notin")) {
                op = Op.NOT_IN;
                rest = rest.substring(5).trim();
            } else if (rest.startsWith("in")) {
                op = Op.IN;
                rest = rest.substring(2).trim();
            } else {
                throw ApiException.badRequest("invalid labelSelector \"" + whole + "\": unknown operator in \"" + part + "\"");
            }
            if (!rest.startsWith("(") || !rest.endsWith(")")) {
                throw ApiException.badRequest("invalid labelSelector \"" + whole + "\": expected a parenthesised set in \""
                        + part + "\"");
            }
            Set<String> values = new TreeSet<>();
            for (String v : rest.substring(1, rest.length() - 1).split(",")) {
                if (values.size() == VALUES_MAX) {
                    throw ApiException.badRequest("labelSelector set has more than " + VALUES_MAX + " values");
                }
                values.add(value(v.trim(), whole));
            }
            if (values.isEmpty() || (values.size() == 1 && values.contains(""))) {
                throw ApiException.badRequest("invalid labelSelector \"" + whole + "\": empty set in \"" + part + "\"");
            }
            return new Requirement(key(words[0], whole), op, Set.copyOf(values));
        }
        return new Requirement(key(part, whole), Op.EXISTS, Set.of());
    }

    private static String key(String key, String whole) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean prefixOk = slash < 0 || (slash <= 253 && PREFIX.matcher(key.substring(0, slash)).matches());
        if (!prefixOk || name.length() > 63 || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("invalid labelSelector \"" + whole + "\": invalid label key \"" + key
                    + "\": a qualified name is an optional DNS prefix and '/' then 1-63 characters of [A-Za-z0-9_.-]"
                    + " starting and ending alphanumeric");
        }
        return key;
    }

    private static String value(String value, String whole) {
        if (value.length() > 63 || !VALUE.matcher(value).matches()) {
            throw ApiException.badRequest("invalid labelSelector \"" + whole + "\": invalid label value \"" + value
                    + "\": at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric");
        }
        return value;
    }

    /** Splits on commas outside parentheses. */
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw ApiException.badRequest("invalid labelSelector \"" + text + "\": unbalanced ')'");
                }
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw ApiException.badRequest("invalid labelSelector \"" + text + "\": unbalanced '('");
        }
        parts.add(text.substring(start));
        return parts;
    }
}
