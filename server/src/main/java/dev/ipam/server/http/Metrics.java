package dev.ipam.server.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The API's Prometheus metrics, served at {@code /metrics} in the text format. The registry is the
 * server's own (no global state); ipamd registers its Raft metrics into it through
 * {@link ApiServer#registry()} so one scrape sees both.
 */
final class Metrics {
    final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Counter backups;
    private final Counter backupBytes;
    private final Histogram backupDuration;
    private final io.prometheus.metrics.core.metrics.Gauge backupBuffered;
    private final Histogram latency;
    /**
     * Latency data points by [verb][resource], looked up once each: the answer path does no label
     * lookup for them. Filled lazily (a race only looks the same point up twice), so only series that
     * happened are exported.
     */
    private final AtomicReferenceArray<DistributionDataPoint> latencyPoints =
            new AtomicReferenceArray<>(Verb.values().length * (Kind.values().length + 1));

    /**
     * What a request did, in Kubernetes' words (the audit log's and kube-apiserver's
     * {@code apiserver_request_duration_seconds} verbs), plus {@code admin} for {@code /admin/...}
     * and {@code other} for everything that addresses no resource (discovery, health, console,
     * metrics) or fails before its resource is known (bad path, refused credentials).
     */
    enum Verb {
        GET, LIST, WATCH, CREATE, UPDATE, PATCH, DELETE, DELETECOLLECTION, ADMIN, OTHER;

        final String label = name().toLowerCase(java.util.Locale.ROOT);

        static Verb of(Exchange ex) {
            Target target = ex.target;
            if (target == null) {
                return ex.path.startsWith("/admin/") ? ADMIN : OTHER;
            }
            return switch (ex.method) {
                case "GET", "HEAD" -> !target.collection() ? GET : Resources.isTrue(ex.param("watch")) ? WATCH : LIST;
                case "POST" -> CREATE;
                case "PUT" -> UPDATE;
                case "PATCH" -> PATCH;
                case "DELETE" -> target.collection() ? DELETECOLLECTION : DELETE;
                default -> OTHER;
            };
        }
    }

    /** The resource label: a kind's plural, by {@link Kind} ordinal, then {@code other} (none, or not known yet). */
    private static final int OTHER_RESOURCE = Kind.values().length;
    private static final String[] RESOURCES = resources();

    private static String[] resources() {
        String[] names = new String[Kind.values().length + 1];
        for (Kind kind : Kind.values()) {
            names[kind.ordinal()] = kind.plural;
        }
        names[OTHER_RESOURCE] = "other";
        return names;
    }

    Metrics() {
        requests = Counter.builder().name("ipam_http_requests_total")
                .help("HTTP requests answered, by Kubernetes verb, resource and status code")
                .labelNames("verb", "resource", "code").register(registry);
        latency = Histogram.builder().name("ipam_http_request_duration_seconds")
                .help("Time from a whole request to its answer (or a watch's first line) being handed to the network, "
                        + "by Kubernetes verb and resource")
                .labelNames("verb", "resource").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
                .register(registry);
        backups = Counter.builder().name("ipam_backups_total").help("Backups streamed by this node, by result (ok, failed)")
                .labelNames("result").register(registry);
        backupBytes = Counter.builder().name("ipam_backup_bytes_total").help("Bytes of backups sent by this node").register(registry);
        backupDuration = Histogram.builder().name("ipam_backup_duration_seconds")
                .help("Time to stream one backup, from request to last byte handed to the network").classicOnly()
                .classicUpperBounds(0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800).register(registry);
        backupBuffered = io.prometheus.metrics.core.metrics.Gauge.builder().name("ipam_backup_buffered_bytes_max")
                .help("Most bytes of the last backup held for the network at once (bounded: backups stream)").register(registry);
    }

    void backup(boolean ok, long bytes, long bufferedBytesMax, long durationNanos) {
        backups.labelValues(ok ? "ok" : "failed").inc();
        backupBytes.inc(bytes);
        backupDuration.observe(durationNanos / 1e9);
        backupBuffered.set(bufferedBytesMax);
    }

    void watches(WatchHub hub) {
        GaugeWithCallback.builder().name("ipam_http_watches_open").help("Open watch streams")
                .callback(callback -> callback.call(hub.open())).register(registry);
        GaugeWithCallback.builder().name("ipam_http_watch_latest_index").help("The last applied index the watch ring heard of")
                .callback(callback -> callback.call(hub.latest())).register(registry);
    }

    /** Counts an answer: every label value comes from a fixed set (verbs, kinds, status codes). */
    void answered(Exchange ex, int code, long startNanos) {
        Verb verb = Verb.of(ex);
        int resource = ex.target == null ? OTHER_RESOURCE : ex.target.kind().ordinal();
        requests.labelValues(verb.label, RESOURCES[resource], Integer.toString(code)).inc();
        int slot = verb.ordinal() * RESOURCES.length + resource;
        DistributionDataPoint point = latencyPoints.get(slot);
        if (point == null) {
            point = latency.labelValues(verb.label, RESOURCES[resource]);
            latencyPoints.set(slot, point);
        }
        point.observe((System.nanoTime() - startNanos) / 1e9);
    }

    byte[] scrape() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }
}
