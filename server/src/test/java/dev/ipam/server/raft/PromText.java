package dev.ipam.server.raft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): HELP/TYPE comments, then
 * samples {@code name{label="value",...} number}. Throws on any line that does not parse, so a test
 * using it checks the format as well as the values.
 */
final class PromText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    static PromText parse(String text) {
        PromText parsed = new PromText();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher type = TYPE.matcher(line);
                if (!type.matches()) {
                    throw new IllegalArgumentException("line " + lineNumber + ": bad comment: " + line);
                }
                parsed.types.put(type.group(1), type.group(2));
                continue;
            }
            parsed.samples.add(sample(line, lineNumber));
        }
        return parsed;
    }

    private static Sample sample(String line, int lineNumber) {
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new IllegalArgumentException("line " + lineNumber + ": no metric name: " + line);
        }
        int at = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            int close = line.indexOf('}', at);
            if (close < 0) {
                throw new IllegalArgumentException("line " + lineNumber + ": unclosed labels: " + line);
            }
            String body = line.substring(at + 1, close);
            Matcher label = LABEL.matcher(body);
            int from = 0;
            while (from < body.length()) {
                if (!label.find(from) || label.start() != from) {
                    throw new IllegalArgumentException("line " + lineNumber + ": bad label at " + from + ": " + line);
                }
                labels.put(label.group(1), label.group(2));
                from = label.end();
                if (from < body.length()) {
                    if (body.charAt(from) != ',') {
                        throw new IllegalArgumentException("line " + lineNumber + ": expected ',': " + line);
                    }
                    from++;
                }
            }
            at = close + 1;
        }
        String[] rest = line.substring(at).trim().split(" ");
        if (rest.length < 1 || rest.length > 2) {
            throw new IllegalArgumentException("line " + lineNumber + ": expected a value (and timestamp): " + line);
        }
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name.group(), labels, value);
    }

    /** The value of the one sample with this name and these labels (a subset), or NaN if none. */
    double value(String name, String... labelPairs) {
        double found = Double.NaN;
        for (Sample sample : samples) {
            if (!sample.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                match &= labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]));
            }
            if (match) {
                if (!Double.isNaN(found)) {
                    throw new IllegalArgumentException("more than one sample of " + name + " matches " + List.of(labelPairs));
                }
                found = sample.value();
            }
        }
        return found;
    }

    /** Values with this name by the value of one label. */
    Map<String, Double> byLabel(String name, String label) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Sample sample : samples) {
            if (sample.name().equals(name)) {
                values.put(sample.labels().get(label), sample.value());
            }
        }
        return values;
    }
}
