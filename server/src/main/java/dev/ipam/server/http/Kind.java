package dev.ipam.server.http;

import java.util.List;

/**
 * The resource kinds the API serves, with what discovery, routing, tables and selectors need to
 * know about each. Projects live outside any project's control plane.
 */
enum Kind {
    IPPOOL(dev.ipam.core.model.Kind.POOL, "ipam.miloapis.com", "IPPool", "ippools", "ippool", List.of("ippool"), false, true,
            List.of("spec.ipFamily", "status.phase", "spec.parentPoolRef.name")),
    IPCLAIM(dev.ipam.core.model.Kind.CLAIM, "ipam.miloapis.com", "IPClaim", "ipclaims", "ipclaim", List.of("ipclaim"), true, true,
            List.of("spec.ipFamily", "spec.poolRef.name", "status.phase")),
    IPALLOCATION(dev.ipam.core.model.Kind.ALLOCATION, "ipam.miloapis.com", "IPAllocation", "ipallocations", "ipallocation", List.of("ipalloc"), true, false,
            List.of("spec.ipFamily", "spec.poolRef.name", "status.phase")),
    PROJECT(dev.ipam.core.model.Kind.PROJECT, "resourcemanager.miloapis.com", "Project", "projects", "project", List.of(), false, true,
            List.of("status.phase"));

    static final String VERSION = "v1alpha1";
    static final String IPAM_GROUP = "ipam.miloapis.com";
    static final String PROJECT_GROUP = "resourcemanager.miloapis.com";

    /** The core's name for the kind. */
    final dev.ipam.core.model.Kind core;
    final String group;
    final String kind;
    final String plural;
    final String singular;
    final List<String> shortNames;
    final boolean namespaced;
    /** False for kinds only the server creates (allocations): clients may read, relabel and delete them. */
    final boolean creatable;
    /** Field selectors beyond metadata.name and metadata.namespace. */
    final List<String> selectableFields;

    Kind(dev.ipam.core.model.Kind core, String group, String kind, String plural, String singular, List<String> shortNames, boolean namespaced,
         boolean creatable, List<String> selectableFields) {
        this.core = core;
        this.group = group;
        this.kind = kind;
        this.plural = plural;
        this.singular = singular;
        this.shortNames = shortNames;
        this.namespaced = namespaced;
        this.creatable = creatable;
        this.selectableFields = selectableFields;
    }

    String apiVersion() {
        return group + "/" + VERSION;
    }

    String listKind() {
        return kind + "List";
    }

    /** Verbs as discovery lists them. */
    List<String> verbs() {
        return creatable
                ? List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
                : List.of("delete", "deletecollection", "get", "list", "patch", "update", "watch");
    }

    boolean selectable(String field) {
        return field.equals("metadata.name") || field.equals("metadata.namespace") || selectableFields.contains(field);
    }

    static Kind byPlural(String plural) {
        for (Kind kind : values()) {
            if (kind.plural.equals(plural) && kind != PROJECT) {
                return kind;
            }
        }
        return null;
    }

    static Kind of(dev.ipam.core.model.Kind core) {
        for (Kind kind : values()) {
            if (kind.core == core) {
                return kind;
            }
        }
        throw new IllegalStateException("core kind without an API kind: " + core);
    }

    static List<Kind> ipamKinds() {
        return List.of(IPPOOL, IPCLAIM, IPALLOCATION);
    }
}
