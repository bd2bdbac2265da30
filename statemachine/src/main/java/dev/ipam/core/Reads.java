package dev.ipam.core;

import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.Resource;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.ReadView;
import dev.ipam.core.store.Space;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * Typed reads for the HTTP layer over any {@link ReadView} (a store, a Ratis snapshot, a batch).
 * Lists are range scans that stop at {@code limit}: nothing loads a whole kind into memory.
 * Continue keys are opaque (base64url of the last key returned) and only valid for the same list.
 */
public final class Reads {
    /** The most items one page may hold. */
    public static final int LIMIT_MAX = 10_000;

    private Reads() {
    }

    /** One page of a list. {@code continueKey} is null when the list is complete. */
    public record Page(List<Resource> items, String continueKey) {
    }

    /** A continue key that does not belong to the list it was given to. */
    public static final class BadContinue extends IllegalArgumentException {
        public BadContinue(String message) {
            super(message);
        }
    }

    /**
     * One object, or null. {@code project} is ignored for projects; {@code namespace} for
     * cluster-scoped kinds.
     */
    public static Resource get(ReadView view, Kind kind, String project, String namespace, String name) {
        byte[] key = key(kind, project, namespace, name);
        if (key == null) {
            return null;
        }
        byte[] value = view.get(Space.OBJECTS, key);
        return value == null ? null : Codec.decodeResource(value);
    }

    public static Project project(ReadView view, String name) {
        return (Project) get(view, Kind.PROJECT, "", "", name);
    }

    public static IPPool pool(ReadView view, String project, String name) {
        return (IPPool) get(view, Kind.POOL, project, "", name);
    }

    public static IPClaim claim(ReadView view, String project, String namespace, String name) {
        return (IPClaim) get(view, Kind.CLAIM, project, namespace, name);
    }

    public static IPAllocation allocation(ReadView view, String project, String namespace, String name) {
        return (IPAllocation) get(view, Kind.ALLOCATION, project, namespace, name);
    }

    /** Lists a kind in a project ({@code namespace} null = every namespace), in key order. */
    public static Page list(ReadView view, Kind kind, String project, String namespace, int limit,
                            String continueKey) {
        return list(view, kind, project, namespace, limit, continueKey, resource -> true);
    }

    /**
     * Lists a kind in a project ({@code namespace} null = every namespace) keeping the items the
     * filter accepts (label and field selectors), up to {@code limit} (<= 0 or over LIMIT_MAX means
     * LIMIT_MAX) items.
     */
    public static Page list(ReadView view, Kind kind, String project, String namespace, int limit,
                            String continueKey, Predicate<Resource> filter) {
        String scopeProject = kind == Kind.PROJECT ? "" : project;
        String scopeNamespace = kind == Kind.PROJECT ? "" : kind.namespaced ? namespace : null;
        if (!Names.keySafe(scopeProject) || (scopeNamespace != null && !Names.keySafe(scopeNamespace))) {
            return new Page(List.of(), null);
        }
        byte[] prefix = Keys.objectPrefix(kind, scopeProject, scopeNamespace);
        return page(view, prefix, limit, continueKey, filter, value -> Codec.decodeResource(value), false);
    }

    /**
     * The allocations carved from the pools of {@code poolProject}, whichever project holds them
     * (what a pool's owner may see), ordered by pool name then holder.
     */
    public static Page allocationsOfPoolsOwnedBy(ReadView view, String poolProject, int limit, String continueKey,
                                                 Predicate<Resource> filter) {
        if (!Names.keySafe(poolProject)) {
            return new Page(List.of(), null);
        }
        byte[] prefix = Keys.allocationsByPoolPrefix(poolProject);
        return page(view, prefix, limit, continueKey, filter, null, true);
    }

    private interface Decoder {
        Resource decode(byte[] value);
    }

    private static Page page(ReadView view, byte[] prefix, int limit, String continueKey,
                             Predicate<Resource> filter, Decoder decoder, boolean viaIndex) {
        int max = limit <= 0 || limit > LIMIT_MAX ? LIMIT_MAX : limit;
        byte[] from = prefix;
        if (continueKey != null && !continueKey.isEmpty()) {
            byte[] last;
            try {
                last = Base64.getUrlDecoder().decode(continueKey);
            } catch (IllegalArgumentException e) {
                throw new BadContinue("continue key is not base64url");
            }
            if (!Keys.startsWith(last, prefix)) {
                throw new BadContinue("continue key belongs to another list");
            }
            from = Keys.successor(last);
        }
        Space space = viaIndex ? Space.INDEX : Space.OBJECTS;
        List<Resource> items = new ArrayList<>();
        byte[] lastKey = null;
        try (Cursor cursor = view.scan(space, from, Keys.prefixEnd(prefix))) {
            for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                Resource resource;
                if (viaIndex) {
                    byte[] value = view.get(Space.OBJECTS, Keys.allocationFromIndex(entry.key()));
                    if (value == null) {
                        throw new IllegalStateException("allocation index entry without its allocation");
                    }
                    resource = Codec.decodeResource(value);
                } else {
                    resource = decoder.decode(entry.value());
                }
                if (items.size() == max) {
                    // One more exists: the page ends at the last item returned.
                    return new Page(items, Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey));
                }
                lastKey = entry.key();
                if (filter.test(resource)) {
                    items.add(resource);
                }
            }
        }
        return new Page(items, null);
    }

    private static byte[] key(Kind kind, String project, String namespace, String name) {
        String p = kind == Kind.PROJECT ? "" : project;
        String ns = kind.namespaced ? namespace : "";
        if (!Names.keySafe(p) || !Names.keySafe(ns) || !Names.keySafe(name)) {
            return null;
        }
        return Keys.object(kind, p, ns, name);
    }
}
