package dev.ipam.core.model;

/** The four kinds of object the core stores. The id byte is part of the stored key format: never renumber. */
public enum Kind {
    PROJECT(1, "resourcemanager.miloapis.com", "Project", "projects", false),
    POOL(2, "ipam.miloapis.com", "IPPool", "ippools", false),
    CLAIM(3, "ipam.miloapis.com", "IPClaim", "ipclaims", true),
    ALLOCATION(4, "ipam.miloapis.com", "IPAllocation", "ipallocations", true);

    public static final String VERSION = "v1alpha1";

    public final int id;
    public final String group;
    public final String kindName;
    public final String plural;
    /** Namespaced kinds (claims, allocations) live in a namespace inside a project. */
    public final boolean namespaced;

    Kind(int id, String group, String kindName, String plural, boolean namespaced) {
        this.id = id;
        this.group = group;
        this.kindName = kindName;
        this.plural = plural;
        this.namespaced = namespaced;
    }

    public String apiVersion() {
        return group + "/" + VERSION;
    }

    public static Kind ofId(int id) {
        for (Kind kind : values()) {
            if (kind.id == id) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown kind id " + id);
    }
}
