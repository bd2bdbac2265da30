package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.ipam.client.Codec;
import dev.ipam.client.Kind;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Writes objects in the format {@code -o} asked for. */
final class Printer {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // Strings such as resourceVersion "9" stay strings when the YAML is read back (edit, apply -f).
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    private static final ObjectMapper PRETTY = Codec.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintWriter out;
    private final Tables tables;

    Printer(PrintWriter out, Tables tables) {
        this.out = out;
        this.tables = tables;
    }

    /**
     * Prints objects of one kind. {@code single} prints a lone object bare in json/yaml (as
     * {@code get KIND NAME} does) rather than wrapped in a List.
     */
    void objects(Kind kind, List<JsonNode> items, Output output, boolean namespaceColumn, boolean single) {
        if (output instanceof Output.Template template) {
            out.print(template.render(single && items.size() == 1 ? items.get(0) : list(items)));
        } else if (output instanceof Output.Columns columns) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(columns.headers());
            items.forEach(item -> rows.add(columns.row(item)));
            out.print(Tables.layout(rows));
        } else {
            Format format = ((Output.Plain) output).format();
            switch (format) {
                case table, wide -> {
                    if (items.isEmpty()) {
                        return;
                    }
                    List<List<String>> rows = new ArrayList<>();
                    rows.add(tables.header(kind, format == Format.wide, namespaceColumn));
                    for (JsonNode item : items) {
                        rows.add(tables.row(kind, item, format == Format.wide, namespaceColumn));
                    }
                    out.print(Tables.layout(rows));
                }
                case json -> out.println(json(single && items.size() == 1 ? items.get(0) : list(items)));
                case yaml -> out.print(yaml(single && items.size() == 1 ? items.get(0) : list(items)));
                case name -> items.forEach(item -> out.println(kind.nameOutputPrefix() + "/" + item.path("metadata").path("name").asText()));
            }
        }
        out.flush();
    }

    /** One object without a table header (watch output after the first screen); templates apply to the object. */
    void row(Kind kind, JsonNode item, Output output, boolean namespaceColumn) {
        if (output instanceof Output.Columns columns) {
            out.print(Tables.layout(List.of(columns.row(item))));
        } else if (output instanceof Output.Plain plain && (plain.format() == Format.table || plain.format() == Format.wide)) {
            out.print(Tables.layout(List.of(tables.row(kind, item, plain.format() == Format.wide, namespaceColumn))));
        } else {
            objects(kind, List.of(item), output, namespaceColumn, true);
        }
        out.flush();
    }

    static String json(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot print JSON", e);
        }
    }

    static String yaml(Object value) {
        try {
            return YAML.writeValueAsString(Codec.tree(value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot print YAML", e);
        }
    }

    private static ObjectNode list(List<JsonNode> items) {
        ObjectNode list = JsonNodeFactory.instance.objectNode();
        list.put("apiVersion", "v1").put("kind", "List");
        ArrayNode array = list.putArray("items");
        items.forEach(array::add);
        list.putObject("metadata").put("resourceVersion", "");
        return list;
    }
}
