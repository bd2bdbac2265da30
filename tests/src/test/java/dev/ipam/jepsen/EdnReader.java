package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal EDN reader (maps, vectors, keywords, strings, integers, nil, booleans) so tests can
 * prove that what {@link Edn} writes parses back to the same data, as a Clojure reader would.
 */
final class EdnReader {
    private final String text;
    private int at;

    private EdnReader(String text) {
        this.text = text;
    }

    static Object read(String text) {
        EdnReader reader = new EdnReader(text);
        Object value = reader.value();
        reader.skip();
        if (reader.at != text.length()) {
            throw new IllegalArgumentException("trailing input at " + reader.at);
        }
        return value;
    }

    private void skip() {
        while (at < text.length() && (Character.isWhitespace(text.charAt(at)) || text.charAt(at) == ',')) {
            at++;
        }
    }

    private Object value() {
        skip();
        char ch = text.charAt(at);
        if (ch == '{') {
            at++;
            Map<Object, Object> map = new LinkedHashMap<>();
            while (true) {
                skip();
                if (text.charAt(at) == '}') {
                    at++;
                    return map;
                }
                Object key = value();
                if (map.put(key, value()) != null) {
                    throw new IllegalArgumentException("duplicate key " + key);
                }
            }
        }
        if (ch == '[') {
            at++;
            List<Object> list = new ArrayList<>();
            while (true) {
                skip();
                if (text.charAt(at) == ']') {
                    at++;
                    return list;
                }
                list.add(value());
            }
        }
        if (ch == '"') {
            StringBuilder out = new StringBuilder();
            at++;
            while (text.charAt(at) != '"') {
                char c = text.charAt(at++);
                if (c == '\\') {
                    char escaped = text.charAt(at++);
                    out.append(switch (escaped) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> escaped;
                    });
                } else {
                    out.append(c);
                }
            }
            at++;
            return out.toString();
        }
        int start = at;
        while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && ",}]".indexOf(text.charAt(at)) < 0) {
            at++;
        }
        String token = text.substring(start, at);
        if (token.startsWith(":")) {
            return new Edn.Keyword(token.substring(1));
        }
        return switch (token) {
            case "nil" -> null;
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> Long.parseLong(token);
        };
    }
}
