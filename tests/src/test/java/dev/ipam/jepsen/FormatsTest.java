package dev.ipam.jepsen;

import static dev.ipam.jepsen.Edn.kw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** History files: JSON lines round-trip exactly; EDN parses back to Jepsen's op maps. */
class FormatsTest {
    @TempDir
    Path dir;

    private static List<Op> sample() {
        return Histories.withPool()
                .nemesis("start-partition-one", "partition-one")
                .claimInvoke(1, "a", 26)
                .claimOk(1, "a", 26, "10.0.0.0/26")
                .claimInvoke(2, "b\"quoted", 28)
                .claimInfo(2, "b\"quoted", 28)
                .releaseInvoke(1, "a")
                .releaseOk(1, "a", false)
                .read(3, "a", "10.0.0.0/26", "z", "10.0.0.64/27")
                .readInvoke(4)
                .complete(4, Op.Type.FAIL, new OpValue.Read(Histories.POOL, null))
                .nemesis("stop-partition-one", "partition-one")
                .ops();
    }

    @Test
    void jsonLinesRoundTrip() throws Exception {
        List<Op> ops = sample();
        Path file = dir.resolve("history.jsonl");
        HistoryJson.write(ops, file);
        assertEquals(ops, HistoryJson.read(file));
        String first = Files.readAllLines(file).get(2);
        assertTrue(first.contains("\"process\":\"nemesis\""), first);
    }

    @Test
    void streamedHistoryEqualsWrittenHistory() throws Exception {
        Path file = dir.resolve("stream.jsonl");
        History history;
        try (var out = Files.newBufferedWriter(file)) {
            history = new History(100, out);
            Op invoke = history.invoke(3, "n2", Op.CLAIM, new OpValue.Claim("p1", "c1", 28, null));
            history.complete(invoke, Op.Type.OK, new OpValue.Claim("p1", "c1", 28, Cidr.parse("10.0.0.16/28")), null);
        }
        assertEquals(history.ops(), HistoryJson.read(file));
        assertTrue(history.ops().get(1).timeNs() >= history.ops().get(0).timeNs());
    }

    @Test
    void historyRefusesToGrowPastItsLimit() {
        History history = new History(1, null);
        history.invoke(1, "n1", Op.READ, new OpValue.Read("p", null));
        assertThrows(IllegalStateException.class, () -> history.invoke(2, "n1", Op.READ, new OpValue.Read("p", null)));
    }

    @Test
    void ednHistoryParsesBackAsJepsenOps() throws Exception {
        List<Op> ops = sample();
        Path file = dir.resolve("history.edn");
        Edn.writeHistory(ops, file);
        @SuppressWarnings("unchecked")
        List<Map<Object, Object>> parsed = (List<Map<Object, Object>>) EdnReader.read(Files.readString(file));
        assertEquals(ops.size(), parsed.size());
        Map<Object, Object> nemesis = parsed.get(2);
        assertEquals(kw("nemesis"), nemesis.get(kw("process")));
        assertEquals(kw("start-partition-one"), nemesis.get(kw("f")));
        Map<Object, Object> claimOk = parsed.get(5);
        assertEquals(5L, claimOk.get(kw("index")));
        assertEquals(kw("ok"), claimOk.get(kw("type")));
        assertEquals(kw("claim"), claimOk.get(kw("f")));
        assertEquals(1L, claimOk.get(kw("process")));
        assertEquals(ops.get(5).timeNs(), claimOk.get(kw("time")));
        assertEquals(Map.of(kw("pool"), "p1", kw("name"), "a", kw("len"), 26L, kw("cidr"), "10.0.0.0/26"),
                claimOk.get(kw("value")));
        assertEquals("b\"quoted", ((Map<?, ?>) parsed.get(6).get(kw("value"))).get(kw("name")));
        assertEquals("timeout", parsed.get(7).get(kw("error")));
        Map<?, ?> read = (Map<?, ?>) parsed.get(11).get(kw("value"));
        assertEquals(Map.of("a", "10.0.0.0/26", "z", "10.0.0.64/27"), read.get(kw("claims")));
        assertNull(((Map<?, ?>) parsed.get(13).get(kw("value"))).get(kw("claims")));
        assertEquals(kw("fail"), parsed.get(13).get(kw("type")));
    }

    @Test
    void resultsAreWrittenAsEdnAndJson() throws Exception {
        Checker.Report report = Histories.withPool().claim(1, "a", 26, "10.0.0.0/26").finalRead().check();
        Results.write(report, new java.util.LinkedHashMap<>(Map.of("seed", 7L)), dir);
        @SuppressWarnings("unchecked")
        Map<Object, Object> edn = (Map<Object, Object>) EdnReader.read(Files.readString(dir.resolve("results.edn")));
        assertEquals(Boolean.FALSE, edn.get(kw("valid?")));
        List<?> anomalies = (List<?>) edn.get(kw("anomalies"));
        assertTrue(anomalies.stream().anyMatch(a -> kw(Anomaly.LOST_CLAIM).equals(((Map<?, ?>) a).get(kw("kind")))));
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(false, json.get("valid?").asBoolean());
        assertEquals(7, json.get("run").get("seed").asInt());
    }

    @Test
    void unknownIsWrittenAsAKeyword() {
        assertEquals(":unknown", Edn.write(Results.validity(Linearizability.Verdict.UNKNOWN)));
        assertEquals("true", Edn.write(Results.validity(Linearizability.Verdict.VALID)));
    }

    @Test
    void cidrParsesAndRejects() {
        Cidr cidr = Cidr.parse("10.1.2.64/26");
        assertEquals("10.1.2.64/26", cidr.toString());
        assertTrue(cidr.aligned());
        assertEquals(64, cidr.size());
        assertTrue(Cidr.parse("10.1.2.0/24").contains(cidr));
        assertTrue(cidr.overlaps(Cidr.parse("10.1.2.96/27")));
        assertTrue(!cidr.overlaps(Cidr.parse("10.1.2.128/27")));
        assertTrue(!Cidr.parse("10.1.2.32/26").aligned());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2/24"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.256/24"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.0/33"));
    }
}
