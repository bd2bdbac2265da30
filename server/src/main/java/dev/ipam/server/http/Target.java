package dev.ipam.server.http;

/**
 * What a resource request addresses: a kind in a project, optionally a namespace (null = all
 * namespaces, or a cluster-scoped kind), optionally one object by name, optionally its status.
 */
record Target(Kind kind, String project, String namespace, String name, boolean status) {
    boolean collection() {
        return name == null;
    }
}
