package dev.ipam.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The two body formats, JSON and YAML, with the request limits built into their parsers: nesting
 * depth, string length, duplicate keys, YAML aliases (billion laughs) and trailing garbage all fail
 * the parse, so no body can make the server build an unbounded tree.
 */
final class Wire {
    static final String JSON = "application/json";
    static final String YAML = "application/yaml";

    final ObjectMapper json;
    final ObjectMapper yaml;

    Wire(ApiConfig config) {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(config.jsonDepthMax())
                .maxStringLength(config.bodyBytesMax())
                .maxNumberLength(64)
                .build();
        JsonFactory jsonFactory = JsonFactory.builder()
                .streamReadConstraints(limits)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.json = new ObjectMapper(jsonFactory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        LoaderOptions loader = new LoaderOptions();
        loader.setNestingDepthLimit(config.jsonDepthMax());
        loader.setMaxAliasesForCollections(16);
        loader.setAllowDuplicateKeys(false);
        loader.setCodePointLimit(Math.max(config.bodyBytesMax(), 1024));
        YAMLFactory yamlFactory = YAMLFactory.builder()
                .loaderOptions(loader)
                .streamReadConstraints(limits)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.yaml = new YAMLMapper(yamlFactory);
    }

    /** Parses a request body into an object, or throws a 400 naming what is wrong. */
    ObjectNode readObject(byte[] body, boolean isYaml) {
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty; an object was expected");
        }
        JsonNode node;
        try {
            node = (isYaml ? yaml : json).readTree(body);
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest("the request body is over a limit: " + firstLine(e.getOriginalMessage()));
        } catch (JsonParseException e) {
            throw ApiException.badRequest("the request body is not valid " + (isYaml ? "YAML" : "JSON") + ": "
                    + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid " + (isYaml ? "YAML" : "JSON") + ": "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports its own limits (depth, aliases, size) as runtime exceptions.
            throw ApiException.badRequest("the request body is not valid " + (isYaml ? "YAML" : "JSON") + ": "
                    + firstLine(String.valueOf(e.getMessage())));
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw ApiException.badRequest("the request body is empty; an object was expected");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("the request body must be an object, not " + node.getNodeType());
        }
        return (ObjectNode) node;
    }

    byte[] write(JsonNode node, boolean asYaml) {
        try {
            return (asYaml ? yaml : json).writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a tree we built", e);
        }
    }

    ObjectNode object() {
        return json.createObjectNode();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** Whether a Content-Type names YAML. */
    static boolean isYaml(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = mediaType(contentType);
        return type.equals("application/yaml") || type.equals("application/x-yaml") || type.equals("text/yaml")
                || type.equals("application/apply-patch+yaml");
    }

    /** The media type without parameters, lower case. */
    static String mediaType(String value) {
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
    }
}
