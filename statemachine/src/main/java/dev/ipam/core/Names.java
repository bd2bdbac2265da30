package dev.ipam.core;

import java.util.Map;

/** Syntax rules for names, label keys and values (Kubernetes' validation rules, with their limits). */
final class Names {
    private Names() {
    }

    /** DNS-1123 subdomain: the rule for object names. */
    static final int SUBDOMAIN_LENGTH_MAX = 253;
    /** DNS-1123 label: the rule for namespaces and label name parts. */
    static final int LABEL_LENGTH_MAX = 63;
    static final int LABELS_MAX = 64;
    static final int ANNOTATIONS_BYTES_MAX = 256 * 1024;

    /** A string usable as a key part: ASCII without NUL (anything else can never exist). */
    static boolean keySafe(String value) {
        if (value == null) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Null when valid, else what is wrong. */
    static String subdomain(String value) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > SUBDOMAIN_LENGTH_MAX) {
            return "must be at most " + SUBDOMAIN_LENGTH_MAX + " characters";
        }
        for (String part : value.split("\\.", -1)) {
            if (!labelPart(part)) {
                return "must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', starting and ending"
                        + " with an alphanumeric character), e.g. 'example.com'";
            }
        }
        return null;
    }

    /** Null when valid, else what is wrong. */
    static String dnsLabel(String value) {
        if (value == null || value.isEmpty()) {
            return "must not be empty";
        }
        if (value.length() > LABEL_LENGTH_MAX || !labelPart(value)) {
            return "must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with an"
                    + " alphanumeric character, at most " + LABEL_LENGTH_MAX + " characters)";
        }
        return null;
    }

    private static boolean labelPart(String part) {
        if (part.isEmpty() || part.length() > LABEL_LENGTH_MAX) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && !(c == '-' && i > 0 && i < part.length() - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Label key: optional DNS subdomain prefix + '/', then a name of at most 63 of [A-Za-z0-9-_.]. */
    static String labelKey(String key) {
        if (key == null || key.isEmpty()) {
            return "label key must not be empty";
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String problem = subdomain(key.substring(0, slash));
            if (problem != null) {
                return "label key prefix " + problem;
            }
            name = key.substring(slash + 1);
        }
        if (!qualifiedName(name)) {
            return "label key name must be at most 63 characters of [A-Za-z0-9-_.], starting and ending"
                    + " with an alphanumeric character";
        }
        return null;
    }

    static String labelValue(String value) {
        if (value == null) {
            return "label value must not be null";
        }
        if (!value.isEmpty() && !qualifiedName(value)) {
            return "label value must be empty or at most 63 characters of [A-Za-z0-9-_.], starting and"
                    + " ending with an alphanumeric character";
        }
        return null;
    }

    private static boolean qualifiedName(String name) {
        if (name.isEmpty() || name.length() > LABEL_LENGTH_MAX) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            boolean inner = c == '-' || c == '_' || c == '.';
            if (!alnum && !(inner && i > 0 && i < name.length() - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Null when the labels are valid, else "key: problem". */
    static String labels(Map<String, String> labels) {
        if (labels == null) {
            return null;
        }
        if (labels.size() > LABELS_MAX) {
            return "at most " + LABELS_MAX + " labels";
        }
        for (var entry : labels.entrySet()) {
            String problem = labelKey(entry.getKey());
            if (problem == null) {
                problem = labelValue(entry.getValue());
            }
            if (problem != null) {
                return entry.getKey() + ": " + problem;
            }
        }
        return null;
    }

    static String annotations(Map<String, String> annotations) {
        if (annotations == null) {
            return null;
        }
        long bytes = 0;
        for (var entry : annotations.entrySet()) {
            String problem = labelKey(entry.getKey());
            if (problem != null) {
                return entry.getKey() + ": " + problem.replace("label", "annotation");
            }
            if (entry.getValue() == null) {
                return entry.getKey() + ": annotation value must not be null";
            }
            bytes += entry.getKey().length() + entry.getValue().length();
        }
        if (bytes > ANNOTATIONS_BYTES_MAX) {
            return "annotations total " + bytes + " characters, over the limit of " + ANNOTATIONS_BYTES_MAX;
        }
        return null;
    }
}
