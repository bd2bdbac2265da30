package dev.ipam.server.http;

import java.util.Locale;

/**
 * What the client asked to get back (the Accept header): a plain object in JSON or YAML, a
 * server-printed Table, or metadata only. A client that accepts none of these gets 406.
 */
enum Format {
    JSON, YAML, TABLE, PARTIAL;

    String contentType() {
        return switch (this) {
            case YAML -> Wire.YAML;
            case TABLE -> "application/json;as=Table;v=v1;g=meta.k8s.io";
            case PARTIAL -> "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io";
            case JSON -> Wire.JSON;
        };
    }

    /** The first acceptable alternative of an Accept header, in the client's order. */
    static Format negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON;
        }
        boolean sawSomething = false;
        for (String alternative : accept.split(",")) {
            String[] parts = alternative.trim().split(";");
            if (parts.length == 0) {
                continue; // ";;;" splits to nothing: no media type in this alternative
            }
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            String as = null;
            String group = null;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].trim().split("=", 2);
                if (kv.length == 2) {
                    switch (kv[0].trim()) {
                        case "as" -> as = kv[1].trim();
                        case "g" -> group = kv[1].trim();
                        case "v" -> version = kv[1].trim();
                        default -> { }
                    }
                }
            }
            sawSomething = true;
            if (as != null) {
                boolean meta = "meta.k8s.io".equals(group) && ("v1".equals(version) || "v1beta1".equals(version));
                if (meta && type.equals("application/json") && as.equals("Table")) {
                    return TABLE;
                }
                if (meta && type.equals("application/json")
                        && (as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList"))) {
                    return PARTIAL;
                }
                continue;
            }
            switch (type) {
                case "application/json", "application/*", "*/*", "application/json-patch+json",
                     "application/merge-patch+json" -> {
                    return JSON;
                }
                case "application/yaml", "application/x-yaml", "text/yaml" -> {
                    return YAML;
                }
                default -> { }
            }
        }
        if (!sawSomething) {
            return JSON;
        }
        throw ApiException.notAcceptable("only application/json, application/yaml and the meta.k8s.io Table and "
                + "PartialObjectMetadata forms of application/json are served; Accept was: " + accept);
    }
}
