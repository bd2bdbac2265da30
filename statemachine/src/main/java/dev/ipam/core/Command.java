package dev.ipam.core;

import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Project;
import java.util.SortedMap;

/**
 * Everything that changes the state. Every command names its {@code actor} (the identity that asked,
 * kept for audit). Labels and annotations given are the complete desired maps (null = none: an
 * update with null labels clears them; send the current ones to keep them). Update and delete
 * commands carry {@code expectedResourceVersion}: 0 means unconditional, anything else must equal the
 * stored object's resourceVersion or the command answers 409 Conflict. Update commands with a null
 * spec leave the spec as it is. Dry runs apply a command to a discarded
 * {@link dev.ipam.core.store.Overlay}; there is no dry-run flag here.
 * Encoded with {@link Codec#encodeCommand}.
 */
public sealed interface Command {
    String actor();

    /** Admin: creates a project. */
    record CreateProject(String actor, String name, SortedMap<String, String> labels,
                         SortedMap<String, String> annotations, Project.ProjectSpec spec) implements Command {
    }

    /** Admin: changes labels, annotations and the quota of a project. */
    record UpdateProject(String actor, String name, long expectedResourceVersion, SortedMap<String, String> labels,
                         SortedMap<String, String> annotations, Project.ProjectSpec spec) implements Command {
    }

    /** Admin: deletes a project with no pools, claims or allocations (else 409). */
    record DeleteProject(String actor, String name, long expectedResourceVersion) implements Command {
    }

    /** Creates a root pool (spec.cidr) or a child pool (spec.parentPoolRef + spec.prefixLength). */
    record CreatePool(String actor, String project, String name, SortedMap<String, String> labels,
                      SortedMap<String, String> annotations, IPPool.Spec spec) implements Command {
    }

    /** Changes labels, annotations and spec.allowedProjects; every other spec field is immutable (422). */
    record UpdatePool(String actor, String project, String name, long expectedResourceVersion,
                      SortedMap<String, String> labels, SortedMap<String, String> annotations, IPPool.Spec spec)
            implements Command {
    }

    /** Deletes a pool with no allocations and no child pools (else 409); a child pool returns its block. */
    record DeletePool(String actor, String project, String name, long expectedResourceVersion) implements Command {
    }

    /** Creates a claim and allocates its block synchronously (the result is Bound, or 507 and nothing stored). */
    record CreateClaim(String actor, String project, String namespace, String name, SortedMap<String, String> labels,
                       SortedMap<String, String> annotations, IPClaim.Spec spec) implements Command {
    }

    /** Changes labels and annotations of a claim; the spec is immutable (422). */
    record UpdateClaim(String actor, String project, String namespace, String name, long expectedResourceVersion,
                       SortedMap<String, String> labels, SortedMap<String, String> annotations, IPClaim.Spec spec)
            implements Command {
    }

    /** Deletes a claim; its allocation is released (Delete) or kept unbound (Retain). */
    record DeleteClaim(String actor, String project, String namespace, String name, long expectedResourceVersion)
            implements Command {
    }

    /** Changes labels and annotations of an allocation (everything else is server-owned). */
    record UpdateAllocation(String actor, String project, String namespace, String name,
                            long expectedResourceVersion, SortedMap<String, String> labels,
                            SortedMap<String, String> annotations) implements Command {
    }

    /** Deletes an unbound (retained) allocation and returns its block; a bound one answers 409. */
    record DeleteAllocation(String actor, String project, String namespace, String name,
                            long expectedResourceVersion) implements Command {
    }
}
