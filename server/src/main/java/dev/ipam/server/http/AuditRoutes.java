package dev.ipam.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.core.Audit;
import java.time.Instant;
import java.util.List;

/**
 * The audit trail of a project's control plane, read from the replicated state (every node answers
 * the same):
 * <ul>
 *   <li>{@code GET .../control-plane/audit?limit=&continue=}: the project's accepted changes, oldest
 *       first (project admins);</li>
 *   <li>{@code GET .../control-plane/addresses/{ip}/history}: who held the blocks containing an
 *       address, and when (project viewers), limited to blocks of the project's pools and blocks the
 *       project held: a pool's owner sees every allocation carved from its pools, nobody else does.</li>
 * </ul>
 */
final class AuditRoutes {
    static final String AUDIT = "/audit";
    static final String ADDRESSES = "/addresses/";

    private final Api api;

    AuditRoutes(Api api) {
        this.api = api;
    }

    static boolean handles(String path) {
        return path.equals(AUDIT) || (path.startsWith(ADDRESSES) && path.endsWith("/history"));
    }

    void handle(Exchange ex, String project, String path) {
        if (!ex.method.equals("GET")) {
            throw ApiException.methodNotAllowed(ex.method + " is not allowed on " + ex.path + "; use GET");
        }
        Target target = new Target(Kind.IPCLAIM, project, null, null, false);
        if (path.equals(AUDIT)) {
            if (!ex.identity.may(project, Auth.Role.admin)) {
                throw forbidden(ex, project, "read the audit trail");
            }
            int limit = parseLimit(ex.param("limit"));
            long afterIndex = -1;
            int afterSeq = 0;
            String cont = ex.param("continue");
            if (cont != null && !cont.isEmpty()) {
                String[] parts = cont.split("\\.", 2);
                try {
                    afterIndex = Long.parseLong(parts[0]);
                    afterSeq = Integer.parseInt(parts[1]);
                } catch (RuntimeException e) {
                    throw ApiException.badRequest("continue must be the token of a previous page (INDEX.SEQ), was " + cont);
                }
            }
            long from = afterIndex;
            int fromSeq = afterSeq;
            api.resources.onWorker(ex, api.resources.read(!"0".equals(ex.param("resourceVersion")), target,
                    s -> Audit.list(s.view(), project, limit, from, fromSeq)), page -> reply(ex, page, limit));
            return;
        }
        if (!ex.identity.may(project, Auth.Role.viewer)) {
            throw forbidden(ex, project, "read address history");
        }
        String ip = path.substring(ADDRESSES.length(), path.length() - "/history".length());
        try {
            Audit.parseAddressChecked(ip);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        api.resources.onWorker(ex, api.resources.read(!"0".equals(ex.param("resourceVersion")), target,
                s -> Audit.addressHistory(s.view(), ip)), events -> {
                    ObjectNode list = api.wire.object();
                    list.put("kind", "AddressHistory");
                    list.put("apiVersion", "v1");
                    list.put("address", ip);
                    ArrayNode items = list.putArray("items");
                    for (Audit.Block b : events) {
                        if (b.poolProject().equals(project) || b.holderProject().equals(project)) {
                            block(items.addObject(), b);
                        }
                    }
                    api.reply(ex, 200, list, Format.JSON);
                });
    }

    private void reply(Exchange ex, List<Audit.Record> page, int limit) {
        ObjectNode list = api.wire.object();
        list.put("kind", "AuditList");
        list.put("apiVersion", "v1");
        ObjectNode metadata = list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (Audit.Record r : page) {
            ObjectNode item = items.addObject();
            item.put("index", r.index());
            item.put("seq", r.seq());
            item.put("time", Instant.ofEpochMilli(r.timestampMs()).toString());
            item.put("user", r.user());
            item.put("address", r.address());
            item.put("command", r.command());
            item.put("kind", r.kind());
            item.put("project", r.project());
            item.put("namespace", r.namespace());
            item.put("name", r.name());
            item.put("code", r.code());
            ArrayNode blocks = item.putArray("blocks");
            for (Audit.Block b : r.blocks()) {
                block(blocks.addObject(), b);
            }
        }
        if (page.size() == Math.min(limit, Audit.LIST_LIMIT_MAX) && !page.isEmpty()) {
            Audit.Record last = page.get(page.size() - 1);
            metadata.put("continue", last.index() + "." + last.seq());
        }
        api.reply(ex, 200, list, Format.JSON);
    }

    private static void block(ObjectNode o, Audit.Block b) {
        o.put("cidr", b.cidr());
        o.put("event", b.held() ? "held" : "released");
        o.put("poolProject", b.poolProject());
        o.put("pool", b.pool());
        o.put("holderProject", b.holderProject());
        o.put("namespace", b.namespace());
        o.put("claim", b.claim());
        o.put("allocation", b.allocation());
        o.put("index", b.index());
        o.put("time", Instant.ofEpochMilli(b.timestampMs()).toString());
    }

    private static int parseLimit(String text) {
        if (text == null || text.isEmpty()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit < 1) {
                throw new NumberFormatException();
            }
            return Math.min(limit, Audit.LIST_LIMIT_MAX);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be a positive whole number, was " + text);
        }
    }

    private static ApiException forbidden(Exchange ex, String project, String what) {
        return new ApiException(403, "Forbidden", "User \"" + ex.identity.user() + "\" cannot " + what
                + " of project \"" + project + "\"", List.of(), null, null);
    }
}
