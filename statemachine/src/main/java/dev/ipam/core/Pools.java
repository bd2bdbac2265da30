package dev.ipam.core;

import dev.ipam.core.Result.Reason;
import dev.ipam.core.alloc.Allocator;
import dev.ipam.core.alloc.Block;
import dev.ipam.core.alloc.PoolState;
import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.Condition;
import dev.ipam.core.model.ConditionStatus;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.PoolPhase;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.store.Space;
import java.util.List;
import java.util.Objects;

/** Commands on pools: root pools own a CIDR; child pools carve a block from their parent. */
final class Pools {
    /** The most pools one project holds. */
    static final long POOLS_PER_PROJECT_MAX = 100_000;

    private Pools() {
    }

    static Result notFound(String name) {
        return Result.rejected(Reason.NotFound, "ippools \"" + name + "\" not found");
    }

    static Result exhausted(String pool, int prefixLength, PoolState state) {
        return Result.rejected(Reason.InsufficientStorage, "pool=" + pool + " prefixLength=" + prefixLength
                + " largestFreePrefix=" + state.largestFreePrefix() + " available=" + state.available()
                + ": no free block fits");
    }

    static Result create(Context context, Command.CreatePool command) {
        Project project = context.project(command.project());
        if (project == null) {
            return Projects.notFound(command.project());
        }
        byte[] key = Keys.object(Kind.POOL, command.project(), "", command.name());
        if (context.batch.get(Space.OBJECTS, key) != null) {
            return Result.rejected(Reason.AlreadyExists, "ippools \"" + command.name() + "\" already exists");
        }
        Project.Usage usage = project.status().usage();
        if (usage.pools() >= POOLS_PER_PROJECT_MAX) {
            return Result.rejected(Reason.TooManyRequests, "server limit reached: project=" + command.project()
                    + " pools=" + usage.pools() + " max=" + POOLS_PER_PROJECT_MAX);
        }
        IPPool.Spec spec = Validate.defaults(command.spec());
        Strategy strategy = spec.allocation().strategy();
        Block block;
        Codec.StoredPool parent = null;
        PoolState parentState = null;
        if (spec.parentPoolRef() == null) {
            block = Block.parse(spec.cidr()).block();
            Result bounds = Validate.poolBounds(spec.allocation(), block.length(), block.family());
            if (bounds != null) {
                return bounds;
            }
        } else {
            parent = context.pool(command.project(), spec.parentPoolRef().name());
            if (parent == null) {
                return Validate.badRequest("spec.parentPoolRef.name", "IPPool \"" + spec.parentPoolRef().name()
                        + "\" not found in project \"" + command.project() + "\"");
            }
            parentState = context.allocator.load(parent.id());
            IPFamily family = parentState.family();
            if (spec.ipFamily() != null && spec.ipFamily() != family) {
                return Validate.badRequest("spec.ipFamily", "spec.ipFamily=" + spec.ipFamily()
                        + " does not match parent pool=" + parent.pool().metadata().name() + " ipFamily=" + family);
            }
            int length = spec.prefixLength();
            int parentLength = parentState.pool().length();
            if (length < parentLength || length > family.bits) {
                return Validate.invalid("spec.prefixLength", "must be between the parent's prefix length ("
                        + parentLength + ") and " + family.bits + ", was " + length);
            }
            Result bounds = Validate.poolBounds(spec.allocation(), length, family);
            if (bounds != null) {
                return bounds;
            }
            if (spec.cidr() != null) {
                block = Block.parse(spec.cidr()).block();
                if (!parentState.pool().contains(block)) {
                    return Validate.invalid("spec.cidr", spec.cidr() + " is not inside parent pool="
                            + parent.pool().metadata().name() + " (" + parentState.pool() + ")");
                }
                if (!context.allocator.allocateSpecific(parent.id(), parentState, block, Allocator.Holder.CHILD_POOL)) {
                    return Result.rejected(Reason.Conflict, "spec.cidr", "spec.cidr=" + spec.cidr()
                            + " is not free in parent pool=" + parent.pool().metadata().name());
                }
            } else {
                block = context.allocator.allocate(parent.id(), parentState, length, Allocator.Holder.CHILD_POOL);
                if (block == null) {
                    return exhausted(parent.pool().metadata().name(), length, parentState);
                }
            }
            spec = new IPPool.Spec(spec.cidr(), family, spec.parentPoolRef(), length, spec.allocation(),
                    spec.visibility(), spec.allowedProjects());
        }
        // Every check has passed: from here on, only writes.
        long poolId = context.nextSequence();
        PoolState state = context.allocator.create(poolId, block, strategy);
        ObjectMeta meta = context.newMeta(key, command.name(), "", command.labels(), command.annotations());
        String origin = parent == null ? "root pool " + block.cidr()
                : "carved " + block.cidr() + " from pool " + parent.pool().metadata().name();
        List<Condition> conditions = List.of(context.condition("Allocated", ConditionStatus.True,
                "AllocationSucceeded", origin, 1));
        IPPool pool = new IPPool(command.project(), meta, spec, status(context, state, null, conditions, 1));
        context.writePool(ChangeType.ADDED, pool, poolId);
        if (parent != null) {
            writeStatus(context, parent, parentState);
        }
        Projects.writeUsage(context, project, new Project.Usage(usage.claims(), usage.ipv4Addresses(),
                usage.pools() + 1));
        return context.created(pool);
    }

    /**
     * The pool's status from its allocator counters.
     *
     * @param cidr the pool's block as text, from its stored status (it never changes), or null to format it
     */
    static IPPool.Status status(Context context, PoolState state, String cidr, List<Condition> conditions,
            long generation) {
        int largest = state.largestFreePrefix();
        String text = cidr != null ? cidr : state.pool().cidr();
        ConditionStatus status = largest == 0 ? ConditionStatus.False : ConditionStatus.True;
        String reason = largest == 0 ? "Exhausted" : "Allocatable";
        String message = largest == 0 ? "no free block left in " + text : ALLOCATABLE[largest];
        List<Condition> next = Context.setCondition(conditions, context.condition("Ready", status, reason, message,
                generation));
        return new IPPool.Status(largest == 0 ? PoolPhase.Exhausted : PoolPhase.Ready, text,
                state.family(), new IPPool.Capacity(state.total().saturated(), state.allocated().saturated(),
                        state.available().saturated()), largest, state.utilizationPercent(), next);
    }

    /** The Ready condition's message for a pool whose largest free block is /n, n in 1..128. */
    private static final String[] ALLOCATABLE = new String[129];

    static {
        for (int n = 1; n < ALLOCATABLE.length; n++) {
            ALLOCATABLE[n] = "largest free block is /" + n;
        }
    }

    /** Rewrites a pool whose counters changed (a MODIFIED change). */
    static void writeStatus(Context context, Codec.StoredPool stored, PoolState state) {
        IPPool pool = stored.pool();
        ObjectMeta meta = pool.metadata().withResourceVersion(context.index);
        IPPool updated = new IPPool(pool.project(), meta, pool.spec(),
                status(context, state, pool.status().allocatedCIDR(), pool.status().conditions(), meta.generation()));
        context.writePoolStatus(updated, stored);
    }

    static Result update(Context context, Command.UpdatePool command) {
        Codec.StoredPool stored = context.pool(command.project(), command.name());
        if (stored == null) {
            return notFound(command.name());
        }
        IPPool pool = stored.pool();
        Result stale = Projects.conflictIfStale(command.expectedResourceVersion(), pool.metadata(), Kind.POOL);
        if (stale != null) {
            return stale;
        }
        IPPool.Spec spec = pool.spec();
        if (command.spec() != null) {
            IPPool.Spec desired = Validate.defaults(command.spec());
            if (desired.ipFamily() == null) {
                desired = new IPPool.Spec(desired.cidr(), spec.ipFamily(), desired.parentPoolRef(),
                        desired.prefixLength(), desired.allocation(), desired.visibility(), desired.allowedProjects());
            }
            Result immutable = immutable(spec, desired);
            if (immutable != null) {
                return immutable;
            }
            spec = desired;
        }
        ObjectMeta old = pool.metadata();
        long generation = spec.allowedProjects().equals(pool.spec().allowedProjects())
                ? old.generation() : old.generation() + 1;
        ObjectMeta meta = new ObjectMeta(old.name(), "", old.uid(), context.index, generation,
                old.creationTimestampMs(), command.labels(), command.annotations());
        IPPool updated = new IPPool(pool.project(), meta, spec, pool.status());
        context.writePool(ChangeType.MODIFIED, updated, stored.id(), pool);
        return context.ok(updated);
    }

    private static Result immutable(IPPool.Spec stored, IPPool.Spec desired) {
        String field = null;
        if (!Objects.equals(stored.cidr(), desired.cidr())) {
            field = "spec.cidr";
        } else if (stored.ipFamily() != desired.ipFamily()) {
            field = "spec.ipFamily";
        } else if (!Objects.equals(stored.parentPoolRef(), desired.parentPoolRef())) {
            field = "spec.parentPoolRef";
        } else if (!Objects.equals(stored.prefixLength(), desired.prefixLength())) {
            field = "spec.prefixLength";
        } else if (!Objects.equals(stored.allocation(), desired.allocation())) {
            field = "spec.allocation";
        } else if (stored.visibility() != desired.visibility()) {
            field = "spec.visibility";
        }
        return field == null ? null : Validate.invalid(field, "field is immutable");
    }

    static Result delete(Context context, Command.DeletePool command) {
        Project project = context.project(command.project());
        if (project == null) {
            return Projects.notFound(command.project());
        }
        Codec.StoredPool stored = context.pool(command.project(), command.name());
        if (stored == null) {
            return notFound(command.name());
        }
        IPPool pool = stored.pool();
        Result stale = Projects.conflictIfStale(command.expectedResourceVersion(), pool.metadata(), Kind.POOL);
        if (stale != null) {
            return stale;
        }
        PoolState state = context.allocator.load(stored.id());
        if (state.allocations() > 0 || state.children() > 0) {
            return Result.rejected(Reason.Conflict, "pool=" + command.name() + " is in use: allocations="
                    + state.allocations() + " childPools=" + state.children() + "; delete them first");
        }
        context.allocator.drop(stored.id(), state);
        dev.ipam.core.model.Resource last = context.delete(pool);
        if (pool.spec().parentPoolRef() != null) {
            Codec.StoredPool parent = context.pool(command.project(), pool.spec().parentPoolRef().name());
            if (parent == null) {
                throw new IllegalStateException("child pool " + command.name() + " without its parent");
            }
            PoolState parentState = context.allocator.load(parent.id());
            context.allocator.release(parent.id(), parentState, state.pool(), Allocator.Holder.CHILD_POOL);
            writeStatus(context, parent, parentState);
        }
        Project.Usage usage = project.status().usage();
        Projects.writeUsage(context, project, new Project.Usage(usage.claims(), usage.ipv4Addresses(),
                usage.pools() - 1));
        return context.ok(last);
    }
}
