package dev.ipam.server.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The API's Prometheus metrics, served at {@code /metrics} in the text format. The registry is the
 * server's own (no global state); ipamd registers its Raft metrics into it through
 * {@link ApiServer#registry()} so one scrape sees both.
 */
final class Metrics {
    final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;

    Metrics() {
        requests = Counter.builder().name("ipam_http_requests_total")
                .help("HTTP requests answered, by method and status code")
                .labelNames("method", "code").register(registry);
        latency = Histogram.builder().name("ipam_http_request_duration_seconds")
                .help("Time from a whole request to its answer being handed to the network, by method")
                .labelNames("method").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
                .register(registry);
    }

    void watches(WatchHub hub) {
        GaugeWithCallback.builder().name("ipam_http_watches_open").help("Open watch streams")
                .callback(callback -> callback.call(hub.open())).register(registry);
        GaugeWithCallback.builder().name("ipam_http_watch_latest_index").help("The last applied index the watch ring heard of")
                .callback(callback -> callback.call(hub.latest())).register(registry);
    }

    void answered(String method, int code, long startNanos) {
        // Clients choose the method: anything unusual shares one label value, so labels stay bounded.
        String label = switch (method) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" -> method;
            default -> "OTHER";
        };
        requests.labelValues(label, Integer.toString(code)).inc();
        latency.labelValues(label).observe((System.nanoTime() - startNanos) / 1e9);
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
