package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code -o} asked for on the commands that print objects: one of the fixed {@link Format}s,
 * a kubectl JSONPath template ({@code jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'}) or
 * custom columns ({@code custom-columns=NAME:.metadata.name,CIDR:.status.allocatedCIDR}).
 */
sealed interface Output {
    /** A template or column list longer than this is refused (it is typed by a person). */
    int TEMPLATE_CHARS_MAX = 4096;
    /** Nested {@code range} blocks deeper than this are refused. */
    int RANGE_DEPTH_MAX = 8;

    /** Parses the value of {@code -o}; picocli calls this for every {@code Output} option. */
    static Output parse(String text) {
        int eq = text.indexOf('=');
        String name = (eq < 0 ? text : text.substring(0, eq)).toLowerCase(Locale.ROOT);
        String argument = eq < 0 ? null : text.substring(eq + 1);
        if (argument != null && argument.length() > TEMPLATE_CHARS_MAX) {
            throw new UsageError("-o " + name + ": the template is longer than " + TEMPLATE_CHARS_MAX + " characters");
        }
        switch (name) {
            case "jsonpath":
                if (argument == null || argument.isBlank()) {
                    throw new UsageError("-o jsonpath needs a template, e.g. -o jsonpath='{.items[*].metadata.name}'");
                }
                return new Template(Template.parse(argument));
            case "custom-columns":
                if (argument == null || argument.isBlank()) {
                    throw new UsageError("-o custom-columns needs columns, e.g. -o custom-columns=NAME:.metadata.name,CIDR:.status.allocatedCIDR");
                }
                return Columns.parse(argument);
            default:
                for (Format format : Format.values()) {
                    if (format.name().equals(name) && argument == null) {
                        return new Plain(format);
                    }
                }
                throw new UsageError("-o " + text + " is not an output format; use table, wide, json, yaml, name, "
                        + "jsonpath=TEMPLATE or custom-columns=NAME:PATH,...");
        }
    }

    /** True for the formats that print "No resources found." on an empty list, as kubectl's tables do. */
    default boolean isTable() {
        return this instanceof Plain plain && (plain.format() == Format.table || plain.format() == Format.wide)
                || this instanceof Columns;
    }

    /** table, wide, json, yaml or name. */
    record Plain(Format format) implements Output {
    }

    /** A parsed JSONPath template. */
    record Template(List<Part> parts) implements Output {
        /** A piece of a template: literal text, a path, or a range over a path's matches. */
        sealed interface Part {
        }

        record Text(String text) implements Part {
        }

        record Path(String path) implements Part {
        }

        record Range(String path, List<Part> body) implements Part {
        }

        static List<Part> parse(String template) {
            List<List<Part>> stack = new ArrayList<>();
            List<String> rangePaths = new ArrayList<>();
            stack.add(new ArrayList<>());
            int i = 0;
            while (i < template.length()) {
                int open = template.indexOf('{', i);
                if (open < 0) {
                    stack.get(stack.size() - 1).add(new Text(template.substring(i)));
                    break;
                }
                if (open > i) {
                    stack.get(stack.size() - 1).add(new Text(template.substring(i, open)));
                }
                int close = closingBrace(template, open);
                if (close < 0) {
                    throw new UsageError("-o jsonpath: unclosed '{' at " + open + " in '" + template + "'");
                }
                String action = template.substring(open + 1, close).trim();
                List<Part> current = stack.get(stack.size() - 1);
                if (action.equals("end")) {
                    if (stack.size() == 1) {
                        throw new UsageError("-o jsonpath: {end} without {range ...} in '" + template + "'");
                    }
                    List<Part> body = stack.remove(stack.size() - 1);
                    stack.get(stack.size() - 1).add(new Range(rangePaths.remove(rangePaths.size() - 1), List.copyOf(body)));
                } else if (action.startsWith("range ")) {
                    if (stack.size() > RANGE_DEPTH_MAX) {
                        throw new UsageError("-o jsonpath: ranges nested deeper than " + RANGE_DEPTH_MAX);
                    }
                    String path = action.substring("range ".length()).trim();
                    JsonPath.check(path, "-o jsonpath", template);
                    rangePaths.add(path);
                    stack.add(new ArrayList<>());
                } else if (action.startsWith("\"") || action.startsWith("'")) {
                    current.add(new Text(unquote(action, template)));
                } else if (action.isEmpty()) {
                    throw new UsageError("-o jsonpath: empty '{}' in '" + template + "'");
                } else {
                    JsonPath.check(action, "-o jsonpath", template);
                    current.add(new Path(action));
                }
                i = close + 1;
            }
            if (stack.size() != 1) {
                throw new UsageError("-o jsonpath: {range ...} without {end} in '" + template + "'");
            }
            return List.copyOf(stack.get(0));
        }

        private static int closingBrace(String template, int open) {
            char quote = 0;
            for (int i = open + 1; i < template.length(); i++) {
                char c = template.charAt(i);
                if (quote != 0) {
                    if (c == '\\') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '}') {
                    return i;
                }
            }
            return -1;
        }

        private static String unquote(String literal, String template) {
            char quote = literal.charAt(0);
            if (literal.length() < 2 || literal.charAt(literal.length() - 1) != quote) {
                throw new UsageError("-o jsonpath: unterminated string " + literal + " in '" + template + "'");
            }
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < literal.length() - 1; i++) {
                char c = literal.charAt(i);
                if (c == '\\' && i + 1 < literal.length() - 1) {
                    char next = literal.charAt(++i);
                    out.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> next;
                    });
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        /** The template applied to {@code root}: several matches of one path are joined by a space, as kubectl does. */
        String render(JsonNode root) {
            StringBuilder out = new StringBuilder();
            render(parts, root, root, out);
            return out.toString();
        }

        private static void render(List<Part> parts, JsonNode root, JsonNode current, StringBuilder out) {
            for (Part part : parts) {
                if (part instanceof Text text) {
                    out.append(text.text());
                } else if (part instanceof Path path) {
                    List<JsonNode> matches = JsonPath.evaluate(root, current, path.path(), "-o jsonpath", path.path());
                    for (int i = 0; i < matches.size(); i++) {
                        out.append(i == 0 ? "" : " ").append(JsonPath.text(matches.get(i)));
                    }
                } else if (part instanceof Range range) {
                    for (JsonNode element : JsonPath.evaluate(root, current, range.path(), "-o jsonpath", range.path())) {
                        render(range.body(), root, element, out);
                    }
                }
            }
        }
    }

    /** Named columns, each a path evaluated on every object; several matches are joined by commas. */
    record Columns(List<String> headers, List<String> paths) implements Output {
        static Columns parse(String spec) {
            List<String> headers = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            for (String column : spec.split(",")) {
                int colon = column.indexOf(':');
                if (colon <= 0 || colon == column.length() - 1) {
                    throw new UsageError("-o custom-columns: '" + column + "' is not NAME:PATH, e.g. CIDR:.status.allocatedCIDR");
                }
                String path = JsonPath.unbrace(column.substring(colon + 1));
                JsonPath.check(path, "-o custom-columns", column);
                headers.add(column.substring(0, colon).trim());
                paths.add(path);
            }
            return new Columns(List.copyOf(headers), List.copyOf(paths));
        }

        List<String> row(JsonNode item) {
            List<String> row = new ArrayList<>(paths.size());
            for (String path : paths) {
                List<JsonNode> matches = JsonPath.evaluate(item, item, path, "-o custom-columns", path);
                List<String> texts = new ArrayList<>(matches.size());
                matches.forEach(match -> texts.add(JsonPath.text(match)));
                row.add(texts.isEmpty() ? "<none>" : String.join(",", texts));
            }
            return row;
        }
    }
}
