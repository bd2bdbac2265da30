package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.server.Replica;
import dev.ipam.server.backup.BackupFile;
import dev.ipam.server.log.LogLevels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator endpoints beside the cluster ones: {@code GET /admin/backup} (a consistent backup at a
 * linearizable read point, see {@link BackupFile}) and {@code GET|PUT /admin/log-level} (levels
 * changed at run time on this node). Both need the cluster admin role, as every {@code /admin/} path.
 */
final class OpsRoutes {
    static final String BACKUP = "/admin/backup";
    static final String LOG_LEVEL = "/admin/log-level";
    /** Backups streaming from one node at once: each holds a read thread and a pinned view while it runs. */
    static final int BACKUPS_CONCURRENT_MAX = 1;
    /** Bytes of a backup handed to the network and not yet sent, at most: what a backup costs the node in memory. */
    static final long BUFFER_BYTES_MAX = 4L * BackupFile.FRAME_BYTES;
    /** A client that takes no data for this long breaks its backup off (it holds a read thread). */
    static final long STALL_MS_MAX = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);

    private final Api api;

    OpsRoutes(Api api) {
        this.api = api;
    }

    static boolean serves(String path) {
        return path.equals(BACKUP) || path.equals(LOG_LEVEL);
    }

    void handle(Exchange ex, String path) {
        if (path.equals(BACKUP)) {
            backup(ex);
        } else {
            logLevel(ex);
        }
    }

    /**
     * A linearizable read (ReadIndex) makes the state at least as new as every acknowledged write;
     * the backup is streamed from the one pinned RocksDB view that read runs on, so the file is the
     * state at exactly the index in its header. The view, and the read thread it runs on, are held
     * while the client drains the response (bounded memory, see {@link BackupStream}), unless the node
     * needs them back to stop or install a snapshot ({@link Replica#readsShouldYield}); hence one
     * backup at a time per node.
     */
    private void backup(Exchange ex) {
        if (!ex.method.equals("GET")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + BACKUP + "; use GET");
        }
        if (!api.backups.tryAcquire()) {
            throw ApiException.tooMany("a backup is already streaming from this node (at most " + BACKUPS_CONCURRENT_MAX
                    + " at a time); retry later or back up from another node");
        }
        long startNanos = System.nanoTime();
        // Set on the read thread once the headers are out; read back when the read completes.
        AtomicReference<BackupStream> body = new AtomicReference<>();
        CompletableFuture<BackupFile.Header> sent;
        try {
            sent = api.replica.read(true, snapshot -> send(ex, api.replica, snapshot, body));
        } catch (RuntimeException e) {
            api.backups.release();
            throw e;
        }
        sent.whenComplete((header, error) -> {
            api.backups.release();
            BackupStream stream = body.get();
            api.metrics.backup(error == null, stream == null ? 0 : stream.sentBytes(),
                    stream == null ? 0 : stream.bufferedBytesHighWater(), System.nanoTime() - startNanos);
            if (error == null) {
                LOG.info("backup at log index {} sent: {} bytes in {} ms, sha256 {}", header.logIndex(), stream.sentBytes(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), header.sha256());
            } else if (stream != null) {
                // The headers are out: the only honest answer left is to break the transfer off.
                LOG.warn("backup broken off after {} bytes: {}", stream.sentBytes(), Api.unwrap(error).toString());
                stream.abort();
            } else {
                api.failFromFuture(ex, error);
            }
        });
    }

    /** On the read thread, holding the pinned view: sends the headers, then the backup as it is read. */
    private static BackupFile.Header send(Exchange ex, Replica replica, Replica.Snapshot snapshot,
                                          AtomicReference<BackupStream> body) {
        BackupStream stream = new BackupStream(ex.startStream("application/vnd.ipam.backup"), BackupFile.FRAME_BYTES,
                BUFFER_BYTES_MAX, STALL_MS_MAX, replica::readsShouldYield);
        body.set(stream);
        try {
            BackupFile.Header header = BackupFile.write(snapshot.view(), snapshot.appliedIndex(), System.currentTimeMillis(), stream);
            stream.finish();
            return header;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void logLevel(Exchange ex) {
        switch (ex.method) {
            case "GET" -> {
                String logger = ex.param("logger");
                ObjectNode body = api.wire.object();
                String name = logger == null ? LogLevels.ROOT : logger;
                body.put("logger", name);
                try {
                    body.put("level", LogLevels.level(name));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badField("logger", e.getMessage());
                }
                api.reply(ex, 200, body, Format.JSON);
            }
            case "PUT" -> {
                JsonNode body = api.wire.readObject(ex.body, Wire.isYaml(ex.header("Content-Type")));
                JsonNode logger = body.get("logger");
                JsonNode level = body.get("level");
                if (logger == null || !logger.isTextual() || logger.asText().isBlank()) {
                    throw ApiException.badField("logger", "\"logger\" is required: a logger name such as dev.ipam or ROOT");
                }
                if (level == null || !level.isTextual()) {
                    throw ApiException.badField("level", "\"level\" is required: one of " + LogLevels.LEVELS);
                }
                String previous;
                try {
                    previous = LogLevels.set(logger.asText(), level.asText());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badField("level", e.getMessage());
                }
                ObjectNode answer = api.wire.object();
                answer.put("logger", logger.asText());
                answer.put("level", LogLevels.level(logger.asText()));
                answer.put("previous", previous);
                api.reply(ex, 200, answer, Format.JSON);
            }
            default -> throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + LOG_LEVEL + "; use GET or PUT");
        }
    }
}
