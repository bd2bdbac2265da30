package dev.ipam.client;

import dev.ipam.client.model.IPAllocation;
import dev.ipam.client.model.IPClaim;
import dev.ipam.client.model.IPPool;
import dev.ipam.client.model.Project;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The kinds of the API, with the names a user may call them by and where they live. */
public enum Kind {
    /** IPPool: cluster-scoped inside a project. */
    IPPOOL("IPPool", "ippools", "ippool", "ipam.miloapis.com", false, IPPool.class, List.of("pool", "pools")),
    /** IPClaim: namespaced. */
    IPCLAIM("IPClaim", "ipclaims", "ipclaim", "ipam.miloapis.com", true, IPClaim.class, List.of("claim", "claims")),
    /** IPAllocation: namespaced, written by the server only. */
    IPALLOCATION("IPAllocation", "ipallocations", "ipalloc", "ipam.miloapis.com", true, IPAllocation.class,
            List.of("ipallocs", "allocation", "allocations")),
    /** Project: cluster-scoped, administered outside any project. */
    PROJECT("Project", "projects", "project", "resourcemanager.miloapis.com", false, Project.class, List.of());

    private final String kindName;
    private final String plural;
    private final String shortName;
    private final String group;
    private final boolean namespaced;
    private final Class<?> type;
    private final List<String> aliases;

    Kind(String kindName, String plural, String shortName, String group, boolean namespaced, Class<?> type,
         List<String> aliases) {
        this.kindName = kindName;
        this.plural = plural;
        this.shortName = shortName;
        this.group = group;
        this.namespaced = namespaced;
        this.type = type;
        this.aliases = aliases;
    }

    /** The {@code kind} field value (IPPool). */
    public String kindName() {
        return kindName;
    }

    /** The resource name in paths (ippools). */
    public String plural() {
        return plural;
    }

    /** The short name (ippool). */
    public String shortName() {
        return shortName;
    }

    /** The API group. */
    public String group() {
        return group;
    }

    /** {@code group/v1alpha1}. */
    public String apiVersion() {
        return group + "/v1alpha1";
    }

    /** Whether objects of this kind live in a namespace. */
    public boolean namespaced() {
        return namespaced;
    }

    /** The record type of this kind. */
    public Class<?> type() {
        return type;
    }

    /** {@code plural.group}, as kubectl prints it ({@code ippools.ipam.miloapis.com}). */
    public String qualifiedName() {
        return plural + "." + group;
    }

    /** {@code shortName.group}, the prefix of {@code -o name} output. */
    public String nameOutputPrefix() {
        return kindName.toLowerCase(Locale.ROOT) + "." + group;
    }

    /**
     * The kind a user means: the kind name, singular, plural or short name, any case, optionally
     * qualified with the group ({@code ippools.ipam.miloapis.com}).
     */
    public static Optional<Kind> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String word = text.toLowerCase(Locale.ROOT);
        for (Kind kind : values()) {
            String suffix = "." + kind.group;
            String bare = word.endsWith(suffix) ? word.substring(0, word.length() - suffix.length()) : word;
            if (bare.equals(kind.kindName.toLowerCase(Locale.ROOT)) || bare.equals(kind.plural)
                    || bare.equals(kind.shortName) || bare.equals(kind.shortName + "s") || kind.aliases.contains(bare)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The kind whose {@code kind} field value this is (exact, as in a manifest). */
    public static Optional<Kind> ofKindName(String kindName) {
        return Arrays.stream(values()).filter(k -> k.kindName.equals(kindName)).findFirst();
    }

    /** The names {@link #parse} accepts, for error messages. */
    public static String accepted() {
        return "ippool(s), ipclaim(s), ipalloc(s)/ipallocation(s), project(s)";
    }
}
