package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.server.Admin;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Health and cluster operations: {@code /healthz}, {@code /livez}, {@code /readyz}, and
 * {@code /admin/cluster[/peers[/{id}]|/leader|/snapshot]} over {@link Admin}. Plain JSON, no
 * Kubernetes envelope except for errors, which are Status objects like everywhere else.
 */
final class AdminRoutes {
    private final Api api;

    AdminRoutes(Api api) {
        this.api = api;
    }

    void handle(Exchange ex, String path) {
        switch (path) {
            case "/healthz", "/livez" -> {
                requireGet(ex);
                boolean healthy = api.admin.healthy();
                ex.reply(healthy ? 200 : 503, "text/plain; charset=utf-8",
                        Api.utf8(healthy ? "ok" : "unhealthy: storage or the Raft server is down"));
            }
            case "/readyz" -> {
                requireGet(ex);
                Admin.Readiness readiness = api.admin.readiness();
                ex.reply(readiness.ready() ? 200 : 503, "text/plain; charset=utf-8",
                        Api.utf8(readiness.ready() ? "ok" : "not ready: " + readiness.reason()));
            }
            case "/admin/cluster" -> {
                requireGet(ex);
                api.reply(ex, 200, api.wire.json.valueToTree(api.admin.status()), Format.JSON);
            }
            case "/admin/cluster/peers" -> {
                requirePost(ex);
                JsonNode body = api.wire.readObject(ex.body, Wire.isYaml(ex.header("Content-Type")));
                String id = required(body, "id");
                String raftAddress = required(body, "raftAddress");
                String httpAddress = required(body, "httpAddress");
                answer(ex, api.admin.addPeer(id, raftAddress, httpAddress));
            }
            case "/admin/cluster/leader" -> {
                requirePost(ex);
                JsonNode body = api.wire.readObject(ex.body, Wire.isYaml(ex.header("Content-Type")));
                answer(ex, api.admin.transferLeader(required(body, "id")));
            }
            case "/admin/cluster/snapshot" -> {
                requirePost(ex);
                api.timed(api.admin.snapshot()).whenComplete((index, error) -> {
                    if (error != null) {
                        adminFailure(ex, error);
                    } else {
                        ObjectNode body = api.wire.object();
                        body.put("index", index);
                        api.reply(ex, 200, body, Format.JSON);
                    }
                });
            }
            default -> {
                if (OpsRoutes.serves(path)) {
                    new OpsRoutes(api).handle(ex, path);
                    return;
                }
                String peers = "/admin/cluster/peers/";
                if (path.startsWith(peers) && path.length() > peers.length() && path.indexOf('/', peers.length()) < 0) {
                    if (!ex.method.equals("DELETE")) {
                        throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + path + "; use DELETE");
                    }
                    answer(ex, api.admin.removePeer(path.substring(peers.length())));
                    return;
                }
                throw ApiException.notFound(null, null, "no admin endpoint at " + path);
            }
        }
    }

    private void answer(Exchange ex, CompletableFuture<Admin.ClusterStatus> future) {
        api.timed(future).whenComplete((status, error) -> {
            if (error != null) {
                adminFailure(ex, error);
            } else {
                api.reply(ex, 200, api.wire.json.valueToTree(status), Format.JSON);
            }
        });
    }

    private void adminFailure(Exchange ex, Throwable error) {
        Throwable cause = Api.unwrap(error);
        if (cause instanceof IllegalArgumentException) {
            api.fail(ex, ApiException.badRequest(cause.getMessage()));
        } else if (cause instanceof java.util.NoSuchElementException) {
            api.fail(ex, ApiException.notFound(null, null, cause.getMessage()));
        } else if (cause instanceof UnsupportedOperationException) {
            api.fail(ex, new ApiException(501, "NotImplemented", cause.getMessage(), List.of(), null, null));
        } else {
            api.failFromFuture(ex, error);
        }
    }

    private static String required(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw ApiException.badField(field, "\"" + field + "\" is required (a non-empty string)");
        }
        return value.asText();
    }

    private static void requireGet(Exchange ex) {
        if (!ex.method.equals("GET") && !ex.method.equals("HEAD")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + ex.path + "; use GET");
        }
    }

    private static void requirePost(Exchange ex) {
        if (!ex.method.equals("POST")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + ex.path + "; use POST");
        }
    }
}
