package dev.ipam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsTest {
    @TempDir
    Path dir;

    private static List<String> names(List<Manifests.Manifest> manifests) {
        return manifests.stream().map(m -> m.object().path("kind").asText() + "/" + m.object().path("metadata").path("name").asText()).toList();
    }

    @Test
    void readsMultiDocumentYamlJsonListsAndDirectories() throws Exception {
        Files.writeString(dir.resolve("b.yaml"), "kind: IPPool\nmetadata: {name: p}\n---\n---\nkind: IPClaim\nmetadata: {name: c}\n");
        Files.writeString(dir.resolve("a.json"), "{\"kind\": \"List\", \"items\": [{\"kind\": \"Project\", \"metadata\": {\"name\": \"x\"}}]}");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        Manifests manifests = new Manifests(new ByteArrayInputStream(
                "{\"kind\": \"IPClaim\", \"metadata\": {\"name\": \"stdin\"}}".getBytes(StandardCharsets.UTF_8)));
        List<Manifests.Manifest> read = manifests.read(List.of(dir.toString(), "-"));
        assertEquals(List.of("Project/x", "IPPool/p", "IPClaim/c", "IPClaim/stdin"), names(read));
        assertTrue(read.get(2).source().endsWith("b.yaml (document 3)"), read.get(2).source());
    }

    @Test
    void refusesWhatIsNotAManifestWithTheFileAndDocument() throws Exception {
        Manifests manifests = new Manifests(new ByteArrayInputStream(new byte[0]));
        Path scalar = Files.writeString(dir.resolve("scalar.yaml"), "kind: IPPool\nmetadata: {name: p}\n---\njust text\n");
        UsageError notObject = assertThrows(UsageError.class, () -> manifests.read(List.of(scalar.toString())));
        assertEquals(ExitCodes.INVALID, notObject.exitCode());
        assertTrue(notObject.getMessage().contains("scalar.yaml (document 2): expected an object"), notObject.getMessage());
        UsageError missing = assertThrows(UsageError.class, () -> manifests.read(List.of(dir.resolve("nope.yaml").toString())));
        assertEquals(ExitCodes.NOT_FOUND, missing.exitCode());
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "\n");
        assertEquals(ExitCodes.INVALID, assertThrows(UsageError.class, () -> manifests.read(List.of(empty.toString()))).exitCode());
    }
}
