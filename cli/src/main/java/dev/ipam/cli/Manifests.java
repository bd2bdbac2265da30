package dev.ipam.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ipam.client.Codec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the objects of {@code -f FILE|-}: YAML (several documents separated by {@code ---}) or
 * JSON, with {@code kind: List} expanded into its items. Bounded in bytes and documents.
 */
final class Manifests {
    /** The largest manifest file read. */
    static final int FILE_BYTES_MAX = 8 << 20;
    /** The most objects taken from one invocation. */
    static final int OBJECTS_MAX = 10_000;

    /** One object and where it came from, for messages. */
    record Manifest(ObjectNode object, String source) {
    }

    private final InputStream stdin;

    Manifests(InputStream stdin) {
        this.stdin = stdin;
    }

    /** Every object of every file (a directory stands for its .yaml, .yml and .json files, by name), in order. */
    List<Manifest> read(List<String> arguments) {
        List<Manifest> manifests = new ArrayList<>();
        for (String file : expand(arguments)) {
            byte[] bytes = load(file);
            String name = file.equals("-") ? "<stdin>" : file;
            int document = 0;
            try (JsonParser parser = new YAMLFactory().createParser(bytes)) {
                MappingIterator<JsonNode> documents = Codec.JSON.readValues(parser, JsonNode.class);
                while (documents.hasNext()) {
                    JsonNode node = documents.next();
                    document++;
                    if (node == null || node.isNull() || node.isMissingNode()) {
                        continue;
                    }
                    add(manifests, node, name + " (document " + document + ")");
                }
            } catch (UsageError e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                throw new UsageError("cannot parse " + name + " (document " + (document + 1) + "): " + message,
                        ExitCodes.INVALID);
            }
        }
        if (manifests.isEmpty()) {
            throw new UsageError("-f: no objects found in " + String.join(", ", arguments), ExitCodes.INVALID);
        }
        return manifests;
    }

    private void add(List<Manifest> manifests, JsonNode node, String source) {
        if (!(node instanceof ObjectNode object)) {
            throw new UsageError(source + ": expected an object (apiVersion, kind, metadata, spec), got "
                    + node.getNodeType().toString().toLowerCase(), ExitCodes.INVALID);
        }
        if ("List".equals(object.path("kind").asText()) && object.path("items").isArray()) {
            int item = 0;
            for (JsonNode child : object.path("items")) {
                add(manifests, child, source + " item " + item++);
            }
            return;
        }
        if (manifests.size() >= OBJECTS_MAX) {
            throw new UsageError("-f: more than " + OBJECTS_MAX + " objects; split the input", ExitCodes.INVALID);
        }
        manifests.add(new Manifest(object, source));
    }

    private static List<String> expand(List<String> arguments) {
        List<String> files = new ArrayList<>();
        for (String argument : arguments) {
            Path path = Path.of(argument);
            if (argument.equals("-") || !Files.isDirectory(path)) {
                files.add(argument);
                continue;
            }
            try (var entries = Files.list(path)) {
                List<String> found = entries.filter(Files::isRegularFile).map(Path::toString)
                        .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))
                        .sorted().toList();
                if (found.isEmpty()) {
                    throw new UsageError("-f " + argument + ": the directory holds no .yaml, .yml or .json file", ExitCodes.INVALID);
                }
                files.addAll(found);
            } catch (IOException e) {
                throw new UsageError("-f " + argument + ": " + e.getMessage(), ExitCodes.ERROR);
            }
        }
        return files;
    }

    private byte[] load(String file) {
        try {
            byte[] bytes;
            if (file.equals("-")) {
                bytes = stdin.readNBytes(FILE_BYTES_MAX + 1);
            } else {
                Path path = Path.of(file);
                try (InputStream in = Files.newInputStream(path)) {
                    bytes = in.readNBytes(FILE_BYTES_MAX + 1);
                }
            }
            if (bytes.length > FILE_BYTES_MAX) {
                throw new UsageError("-f " + file + ": larger than " + FILE_BYTES_MAX + " bytes", ExitCodes.INVALID);
            }
            if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
                throw new UsageError("-f " + file + ": the file is empty", ExitCodes.INVALID);
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new UsageError("-f " + file + ": no such file", ExitCodes.NOT_FOUND);
        } catch (IOException e) {
            throw new UsageError("-f " + file + ": " + e.getMessage(), ExitCodes.ERROR);
        }
    }
}
