package dev.ipam.core;

import dev.ipam.core.Result.Reason;
import dev.ipam.core.alloc.Allocator;
import dev.ipam.core.alloc.Block;
import dev.ipam.core.alloc.PoolState;
import dev.ipam.core.model.AllocationPhase;
import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.ClaimPhase;
import dev.ipam.core.model.Condition;
import dev.ipam.core.model.ConditionStatus;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Visibility;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Space;
import java.util.List;
import java.util.Objects;

/** Commands on claims and allocations: pool resolution, access, quota, block choice and release. */
final class Claims {
    /** The most live claims one project holds, whatever its quota. */
    static final long CLAIMS_PER_PROJECT_MAX = 10_000_000;

    private Claims() {
    }

    static Result notFound(Kind kind, String name) {
        return Result.rejected(Reason.NotFound, kind.plural + " \"" + name + "\" not found");
    }

    /** May {@code project} claim from {@code pool}? Its own pools always; others only when shared with it. */
    static boolean allowed(IPPool pool, String project) {
        if (pool.project().equals(project)) {
            return true;
        }
        if (pool.spec().visibility() != Visibility.shared) {
            return false;
        }
        List<String> allowed = pool.spec().allowedProjects();
        return allowed.contains("*") || allowed.contains(project);
    }

    /** The pool a claim resolves to, or the rejection. Denied pools look exactly like missing ones. */
    private static Object resolve(Context context, String claimProject, IPClaim.Spec spec) {
        if (spec.poolRef() != null) {
            Refs.PoolRef ref = spec.poolRef();
            String poolProject = ref.projectRef() == null ? claimProject : ref.projectRef().name();
            Codec.StoredPool stored = context.pool(poolProject, ref.name());
            if (stored == null || !allowed(stored.pool(), claimProject)) {
                return Validate.badRequest("spec.poolRef.name", "IPPool \"" + ref.name() + "\" not found in project \""
                        + poolProject + "\"");
            }
            if (stored.pool().status().ipFamily() != spec.ipFamily()) {
                return Validate.badRequest("spec.ipFamily", "spec.ipFamily=" + spec.ipFamily() + " does not match pool="
                        + ref.name() + " ipFamily=" + stored.pool().status().ipFamily());
            }
            return stored;
        }
        PoolSelector selector = spec.poolSelector();
        String poolProject = selector.projectRef() == null ? claimProject : selector.projectRef().name();
        byte[] prefix = Keys.objectPrefix(Kind.POOL, poolProject, null);
        try (Cursor cursor = context.batch.scan(Space.OBJECTS, prefix, Keys.prefixEnd(prefix))) {
            for (Entry entry = cursor.next(); entry != null; entry = cursor.next()) {
                Codec.StoredPool stored = context.storedPool(entry.value());
                IPPool pool = stored.pool();
                if (allowed(pool, claimProject) && pool.status().ipFamily() == spec.ipFamily()
                        && Validate.matches(selector, pool.metadata().labels())) {
                    return stored;
                }
            }
        }
        return Validate.badRequest("spec.poolSelector", "no IPPool in project \"" + poolProject
                + "\" matches spec.poolSelector for ipFamily=" + spec.ipFamily());
    }

    static Result create(Context context, Command.CreateClaim command) {
        Project project = context.project(command.project());
        if (project == null) {
            return Projects.notFound(command.project());
        }
        byte[] key = Keys.object(Kind.CLAIM, command.project(), command.namespace(), command.name());
        if (context.batch.get(Space.OBJECTS, key) != null) {
            return Result.rejected(Reason.AlreadyExists, "ipclaims \"" + command.name() + "\" already exists");
        }
        String allocationName = IPAllocation.nameFor(command.namespace(), command.name());
        byte[] allocationKey = Keys.object(Kind.ALLOCATION, command.project(), command.namespace(), allocationName);
        IPAllocation retained = (IPAllocation) context.object(allocationKey);
        if (retained != null) {
            return Result.rejected(Reason.Conflict, "ipclaims \"" + command.name() + "\": IPAllocation "
                    + allocationName + " retained from an earlier claim of this name still holds "
                    + retained.status().allocatedCIDR() + "; delete that IPAllocation first");
        }
        IPClaim.Spec spec = Validate.defaults(command.spec());
        int length = spec.prefixLength();
        Result quota = quota(project, spec.ipFamily(), length);
        if (quota != null) {
            return quota;
        }
        Object resolved = resolve(context, command.project(), spec);
        if (resolved instanceof Result rejection) {
            return rejection;
        }
        Codec.StoredPool stored = (Codec.StoredPool) resolved;
        IPPool pool = stored.pool();
        PoolState state = context.allocator.load(stored.id());
        Result bounds = bounds(pool, state, length);
        if (bounds != null) {
            return bounds;
        }
        Block block;
        if (spec.cidr() != null) {
            block = Block.parse(spec.cidr()).block();
            if (!state.pool().contains(block)) {
                return Validate.invalid("spec.cidr", spec.cidr() + " is not inside pool=" + pool.metadata().name()
                        + " (" + state.pool() + ")");
            }
            if (!context.allocator.allocateSpecific(stored.id(), state, block, Allocator.Holder.ALLOCATION)) {
                return Result.rejected(Reason.Conflict, "spec.cidr", "spec.cidr=" + spec.cidr()
                        + " is not free in pool=" + pool.metadata().name());
            }
        } else {
            block = context.allocator.allocate(stored.id(), state, length, Allocator.Holder.ALLOCATION);
            if (block == null) {
                return Pools.exhausted(pool.metadata().name(), length, state);
            }
        }
        // Every check has passed: from here on, only writes.
        String cidr = context.cidr(block);
        String poolName = pool.metadata().name();
        Refs.PoolRef poolRef = new Refs.PoolRef(poolName, pool.project().equals(command.project())
                ? null : new Refs.ProjectRef(pool.project()));
        String message = "allocated " + cidr + " from pool " + poolName;
        IPClaim claim = new IPClaim(command.project(),
                context.newMeta(key, command.name(), command.namespace(), command.labels(), command.annotations()),
                spec, new IPClaim.Status(ClaimPhase.Bound, cidr, new Refs.LocalRef(allocationName), poolRef,
                List.of(context.condition("Bound", ConditionStatus.True, "AllocationSucceeded", message, 1))));
        IPAllocation allocation = new IPAllocation(command.project(),
                context.newMeta(allocationKey, allocationName, command.namespace(), null, null),
                new IPAllocation.Spec(spec.ipFamily(), poolRef),
                new IPAllocation.Status(AllocationPhase.Ready, cidr, new Refs.LocalRef(command.name()), List.of(
                        context.condition("Ready", ConditionStatus.True, "Allocated", message, 1),
                        context.condition("Bound", ConditionStatus.True, "ClaimBound",
                                "bound to IPClaim " + command.name(), 1))));
        context.write(ChangeType.ADDED, claim);
        context.write(ChangeType.ADDED, allocation);
        context.batch.put(Space.INDEX, Keys.allocationByPool(pool.project(), poolName, command.project(),
                command.namespace(), allocationName), new byte[0]);
        Pools.writeStatus(context, stored, state);
        Project.Usage usage = project.status().usage();
        Projects.writeUsage(context, project, new Project.Usage(usage.claims() + 1,
                usage.ipv4Addresses() + ipv4Addresses(spec.ipFamily(), length), usage.pools()));
        return context.created(claim);
    }

    private static long ipv4Addresses(IPFamily family, int length) {
        return family == IPFamily.IPv4 ? 1L << (32 - length) : 0;
    }

    private static Result quota(Project project, IPFamily family, int length) {
        Project.Usage usage = project.status().usage();
        String name = project.metadata().name();
        if (usage.claims() >= CLAIMS_PER_PROJECT_MAX) {
            return Result.rejected(Reason.TooManyRequests, "server limit reached: project=" + name + " claims="
                    + usage.claims() + " max=" + CLAIMS_PER_PROJECT_MAX);
        }
        Project.Quota quota = project.spec() == null ? null : project.spec().quota();
        if (quota == null) {
            return null;
        }
        if (quota.claims() != null && usage.claims() + 1 > quota.claims()) {
            return Result.rejected(Reason.TooManyRequests, "spec.quota.claims", "exceeded quota: project=" + name
                    + " quota=claims limit=" + quota.claims() + " used=" + usage.claims() + " requested=1");
        }
        long addresses = ipv4Addresses(family, length);
        if (quota.ipv4Addresses() != null && addresses > 0
                && usage.ipv4Addresses() + addresses > quota.ipv4Addresses()) {
            return Result.rejected(Reason.TooManyRequests, "spec.quota.ipv4Addresses", "exceeded quota: project="
                    + name + " quota=ipv4Addresses limit=" + quota.ipv4Addresses() + " used=" + usage.ipv4Addresses()
                    + " requested=" + addresses);
        }
        return null;
    }

    private static Result bounds(IPPool pool, PoolState state, int length) {
        String name = pool.metadata().name();
        int poolLength = state.pool().length();
        if (length < poolLength) {
            return Validate.invalid("spec.prefixLength", "must be >= the prefix length of pool=" + name + " ("
                    + poolLength + "), was " + length);
        }
        IPPool.AllocationSettings allocation = pool.spec().allocation();
        if (allocation.minPrefixLength() != null && length < allocation.minPrefixLength()) {
            return Validate.invalid("spec.prefixLength", "must be >= minPrefixLength=" + allocation.minPrefixLength()
                    + " of pool=" + name + ", was " + length);
        }
        if (allocation.maxPrefixLength() != null && length > allocation.maxPrefixLength()) {
            return Validate.invalid("spec.prefixLength", "must be <= maxPrefixLength=" + allocation.maxPrefixLength()
                    + " of pool=" + name + ", was " + length);
        }
        return null;
    }

    static Result update(Context context, Command.UpdateClaim command) {
        IPClaim claim = context.claim(command.project(), command.namespace(), command.name());
        if (claim == null) {
            return notFound(Kind.CLAIM, command.name());
        }
        Result stale = Projects.conflictIfStale(command.expectedResourceVersion(), claim.metadata(), Kind.CLAIM);
        if (stale != null) {
            return stale;
        }
        if (command.spec() != null) {
            Result immutable = immutable(claim.spec(), Validate.defaults(command.spec()));
            if (immutable != null) {
                return immutable;
            }
        }
        ObjectMeta old = claim.metadata();
        ObjectMeta meta = new ObjectMeta(old.name(), old.namespace(), old.uid(), context.index, old.generation(),
                old.creationTimestampMs(), command.labels(), command.annotations());
        IPClaim updated = new IPClaim(claim.project(), meta, claim.spec(), claim.status());
        context.write(ChangeType.MODIFIED, updated, claim);
        return context.ok(updated);
    }

    private static Result immutable(IPClaim.Spec stored, IPClaim.Spec desired) {
        String field = null;
        if (stored.ipFamily() != desired.ipFamily()) {
            field = "spec.ipFamily";
        } else if (!Objects.equals(stored.prefixLength(), desired.prefixLength())) {
            field = "spec.prefixLength";
        } else if (!Objects.equals(stored.poolRef(), desired.poolRef())) {
            field = "spec.poolRef";
        } else if (!Objects.equals(stored.poolSelector(), desired.poolSelector())) {
            field = "spec.poolSelector";
        } else if (!Objects.equals(stored.cidr(), desired.cidr())) {
            field = "spec.cidr";
        } else if (!Objects.equals(stored.ownerRef(), desired.ownerRef())) {
            field = "spec.ownerRef";
        } else if (stored.reclaimPolicy() != desired.reclaimPolicy()) {
            field = "spec.reclaimPolicy";
        }
        return field == null ? null : Validate.invalid(field, "field is immutable");
    }

    static Result delete(Context context, Command.DeleteClaim command) {
        Project project = context.project(command.project());
        if (project == null) {
            return Projects.notFound(command.project());
        }
        IPClaim claim = context.claim(command.project(), command.namespace(), command.name());
        if (claim == null) {
            return notFound(Kind.CLAIM, command.name());
        }
        Result stale = Projects.conflictIfStale(command.expectedResourceVersion(), claim.metadata(), Kind.CLAIM);
        if (stale != null) {
            return stale;
        }
        String allocationName = claim.status().boundAllocationRef().name();
        IPAllocation allocation = context.allocation(command.project(), command.namespace(), allocationName);
        if (allocation == null) {
            throw new IllegalStateException("claim " + command.name() + " without its allocation " + allocationName);
        }
        dev.ipam.core.model.Resource last = context.delete(claim);
        if (claim.spec().reclaimPolicy() == ReclaimPolicy.Retain) {
            IPAllocation.Status status = allocation.status();
            List<Condition> conditions = Context.setCondition(status.conditions(), context.condition("Bound",
                    ConditionStatus.False, "Retained", "IPClaim " + command.name() + " was deleted with"
                            + " reclaimPolicy Retain; delete this IPAllocation to free " + status.allocatedCIDR(),
                    allocation.metadata().generation()));
            IPAllocation unbound = new IPAllocation(allocation.project(),
                    allocation.metadata().withResourceVersion(context.index), allocation.spec(),
                    new IPAllocation.Status(status.phase(), status.allocatedCIDR(), null, conditions));
            context.write(ChangeType.MODIFIED, unbound, allocation);
        } else {
            release(context, allocation);
        }
        Project.Usage usage = project.status().usage();
        Projects.writeUsage(context, project, new Project.Usage(usage.claims() - 1,
                usage.ipv4Addresses() - ipv4Addresses(claim.spec().ipFamily(), claim.spec().prefixLength()),
                usage.pools()));
        return context.ok(last);
    }

    /** Deletes an allocation and returns its block to its pool. */
    private static void release(Context context, IPAllocation allocation) {
        Refs.PoolRef ref = allocation.spec().poolRef();
        String poolProject = ref.projectRef() == null ? allocation.project() : ref.projectRef().name();
        Codec.StoredPool stored = context.pool(poolProject, ref.name());
        if (stored == null) {
            throw new IllegalStateException("allocation " + allocation.metadata().name() + " of missing pool "
                    + poolProject + "/" + ref.name());
        }
        Block block = context.block(allocation.status().allocatedCIDR());
        PoolState state = context.allocator.load(stored.id());
        context.allocator.release(stored.id(), state, block, Allocator.Holder.ALLOCATION);
        context.delete(allocation);
        context.batch.delete(Space.INDEX, Keys.allocationByPool(poolProject, ref.name(), allocation.project(),
                allocation.metadata().namespace(), allocation.metadata().name()));
        Pools.writeStatus(context, stored, state);
    }

    static Result updateAllocation(Context context, Command.UpdateAllocation command) {
        IPAllocation allocation = context.allocation(command.project(), command.namespace(), command.name());
        if (allocation == null) {
            return notFound(Kind.ALLOCATION, command.name());
        }
        Result stale = Projects.conflictIfStale(command.expectedResourceVersion(), allocation.metadata(),
                Kind.ALLOCATION);
        if (stale != null) {
            return stale;
        }
        ObjectMeta old = allocation.metadata();
        ObjectMeta meta = new ObjectMeta(old.name(), old.namespace(), old.uid(), context.index, old.generation(),
                old.creationTimestampMs(), command.labels(), command.annotations());
        IPAllocation updated = new IPAllocation(allocation.project(), meta, allocation.spec(), allocation.status());
        context.write(ChangeType.MODIFIED, updated, allocation);
        return context.ok(updated);
    }

    static Result deleteAllocation(Context context, Command.DeleteAllocation command) {
        IPAllocation allocation = context.allocation(command.project(), command.namespace(), command.name());
        if (allocation == null) {
            return notFound(Kind.ALLOCATION, command.name());
        }
        Result stale = Projects.conflictIfStale(command.expectedResourceVersion(), allocation.metadata(),
                Kind.ALLOCATION);
        if (stale != null) {
            return stale;
        }
        if (allocation.status().claimRef() != null) {
            return Result.rejected(Reason.Conflict, "ipallocations \"" + command.name() + "\" is bound to IPClaim "
                    + allocation.status().claimRef().name() + "; delete the claim instead");
        }
        release(context, allocation);
        dev.ipam.core.model.Resource last = null;
        for (Result.Change change : context.changes) {
            if (change.type() == ChangeType.DELETED) {
                last = change.object();
            }
        }
        return context.ok(last);
    }
}
