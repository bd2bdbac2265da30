package dev.ipam.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The discovery documents kubectl reads before anything else: the server version, the (empty) core
 * group, the group list and each group-version's resource list. Plain {@code application/json}
 * answers make client-go fall back from aggregated discovery to these legacy documents.
 */
final class Discovery {
    private final Wire wire;

    Discovery(Wire wire) {
        this.wire = wire;
    }

    ObjectNode version() {
        ObjectNode version = wire.object();
        version.put("major", "1");
        version.put("minor", "32");
        version.put("gitVersion", "v1.32.0-ipam");
        version.put("gitCommit", "ipam");
        version.put("gitTreeState", "clean");
        version.put("buildDate", "2026-11-21T00:00:00Z");
        version.put("goVersion", "java" + Runtime.version().feature());
        version.put("compiler", "javac");
        version.put("platform", "linux/amd64");
        return version;
    }

    /** /api: no core group (no pods, no events). */
    ObjectNode coreVersions() {
        ObjectNode versions = wire.object();
        versions.put("kind", "APIVersions");
        versions.putArray("versions");
        versions.putArray("serverAddressByClientCIDRs");
        return versions;
    }

    ObjectNode groupList(List<String> groups) {
        ObjectNode list = wire.object();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode array = list.putArray("groups");
        for (String group : groups) {
            array.add(group(group));
        }
        return list;
    }

    ObjectNode group(String group) {
        ObjectNode node = wire.object();
        node.put("kind", "APIGroup");
        node.put("apiVersion", "v1");
        node.put("name", group);
        ObjectNode version = wire.object();
        version.put("groupVersion", group + "/" + Kind.VERSION);
        version.put("version", Kind.VERSION);
        node.putArray("versions").add(version);
        node.set("preferredVersion", version.deepCopy());
        return node;
    }

    ObjectNode resourceList(String group) {
        ObjectNode list = wire.object();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group + "/" + Kind.VERSION);
        ArrayNode resources = list.putArray("resources");
        for (Kind kind : Kind.values()) {
            if (!kind.group.equals(group)) {
                continue;
            }
            ObjectNode resource = resources.addObject();
            resource.put("name", kind.plural);
            resource.put("singularName", kind.singular);
            resource.put("namespaced", kind.namespaced);
            resource.put("kind", kind.kind);
            ArrayNode verbs = resource.putArray("verbs");
            kind.verbs().forEach(verbs::add);
            if (!kind.shortNames.isEmpty()) {
                ArrayNode shortNames = resource.putArray("shortNames");
                kind.shortNames.forEach(shortNames::add);
            }
            resource.putArray("categories").add(kind == Kind.PROJECT ? "resourcemanager" : "ipam");
            if (kind.creatable) {
                ObjectNode status = resources.addObject();
                status.put("name", kind.plural + "/status");
                status.put("singularName", "");
                status.put("namespaced", kind.namespaced);
                status.put("kind", kind.kind);
                status.putArray("verbs").add("get");
            }
        }
        return list;
    }
}
