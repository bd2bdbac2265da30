package dev.ipam.jepsen;

import static dev.ipam.jepsen.Edn.kw;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a checker report as {@code results.edn} (Jepsen's shape: {@code {:valid? true ...}}, with
 * {@code :unknown} for an undecided search) and {@code results.json} (the same content, string keys).
 */
public final class Results {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Results() {
    }

    /** Jepsen's :valid? value: true, false or :unknown. */
    static Object validity(Linearizability.Verdict verdict) {
        return switch (verdict) {
            case VALID -> true;
            case INVALID -> false;
            case UNKNOWN -> kw("unknown");
        };
    }

    /** The report as an EDN-ready map (keyword keys); {@code run} carries the scenario settings. */
    public static Map<Object, Object> edn(Checker.Report report, Map<String, Object> run) {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(kw("valid?"), validity(report.verdict()));
        Map<Object, Object> runMap = new LinkedHashMap<>();
        run.forEach((k, v) -> runMap.put(kw(k), v));
        map.put(kw("run"), runMap);
        Map<Object, Object> counts = new LinkedHashMap<>();
        report.counts().forEach((k, v) -> counts.put(k, v));
        map.put(kw("counts"), counts);
        List<Object> pools = new ArrayList<>();
        for (Checker.PoolResult pool : report.pools()) {
            Map<Object, Object> p = new LinkedHashMap<>();
            p.put(kw("pool"), pool.pool());
            p.put(kw("cidr"), pool.cidr() == null ? null : pool.cidr().toString());
            p.put(kw("valid?"), validity(pool.verdict()));
            p.put(kw("operations"), (long) pool.operations());
            p.put(kw("states-explored"), pool.statesExplored());
            p.put(kw("elapsed-ms"), pool.elapsedMs());
            p.put(kw("reason"), pool.reason());
            pools.add(p);
        }
        map.put(kw("linearizable"), pools);
        List<Object> anomalies = new ArrayList<>();
        for (Anomaly anomaly : report.anomalies()) {
            Map<Object, Object> a = new LinkedHashMap<>();
            a.put(kw("kind"), kw(anomaly.kind()));
            a.put(kw("pool"), anomaly.pool());
            a.put(kw("message"), anomaly.message());
            List<Object> ops = new ArrayList<>();
            anomaly.ops().forEach(op -> ops.add(Edn.op(op)));
            a.put(kw("ops"), ops);
            anomalies.add(a);
        }
        map.put(kw("anomalies"), anomalies);
        map.put(kw("anomalies-dropped"), (long) report.anomaliesDropped());
        List<Object> nemesisErrors = new ArrayList<>();
        report.nemesisErrors().forEach(op -> nemesisErrors.add(Edn.op(op)));
        map.put(kw("nemesis-errors"), nemesisErrors);
        return map;
    }

    public static void write(Checker.Report report, Map<String, Object> run, Path dir) throws IOException {
        Map<Object, Object> edn = edn(report, run);
        Files.writeString(dir.resolve("results.edn"), Edn.write(edn) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.json"), JSON.writeValueAsString(plain(edn)) + "\n", StandardCharsets.UTF_8);
    }

    /** EDN-ready data to JSON-ready data: keywords become strings. */
    private static Object plain(Object value) {
        if (value instanceof Edn.Keyword k) {
            return k.name();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(plain(k)), plain(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(plain(item)));
            return out;
        }
        return value;
    }
}
