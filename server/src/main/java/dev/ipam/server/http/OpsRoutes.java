package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.server.backup.BackupFile;
import dev.ipam.server.log.LogLevels;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Operator endpoints beside the cluster ones: {@code GET /admin/backup} (a consistent backup at a
 * linearizable read point, see {@link BackupFile}) and {@code GET|PUT /admin/log-level} (levels
 * changed at run time on this node). Both need the cluster admin role, as every {@code /admin/} path.
 */
final class OpsRoutes {
    static final String BACKUP = "/admin/backup";
    static final String LOG_LEVEL = "/admin/log-level";

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
     * the export is taken from one RocksDB snapshot of it, so the file is the state at exactly the
     * index in its header.
     */
    private void backup(Exchange ex) {
        if (!ex.method.equals("GET")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + BACKUP + "; use GET");
        }
        api.timed(api.replica.read(true, snapshot -> {
            try {
                return BackupFile.build(snapshot.view(), snapshot.appliedIndex(), System.currentTimeMillis());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })).whenComplete((bytes, error) -> {
            if (error != null) {
                api.failFromFuture(ex, error);
            } else {
                ex.reply(200, "application/vnd.ipam.backup", bytes);
            }
        });
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
