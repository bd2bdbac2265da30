package dev.ipam.core;

import dev.ipam.core.model.AllocationPhase;
import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.ClaimPhase;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.PoolPhase;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Resource;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Space;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away stand-in for the IPAM core while its allocator is being written: projects, pools and
 * claims with a naive sequential IPv4 allocator, enough to drive the HTTP layer. Not a model of the
 * real rules.
 */
public final class StandInCore implements Core {
    @Override
    public String check(byte[] command) {
        try {
            Codec.decodeCommand(command);
            return null;
        } catch (Codec.Malformed e) {
            return e.getMessage();
        }
    }

    @Override
    public byte[] apply(Batch batch, long index, long timestampMs, byte[] command) {
        return Codec.encodeResult(execute(batch, index, timestampMs, Codec.decodeCommand(command)));
    }

    private static Resource get(Batch batch, Kind kind, String project, String ns, String name) {
        byte[] value = batch.get(Space.OBJECTS, Keys.object(kind, project, ns, name));
        return value == null ? null : Codec.decodeResource(value);
    }

    private static void put(Batch batch, Resource r) {
        batch.put(Space.OBJECTS, Keys.object(r.kind(), r.project(), r.metadata().namespace(), r.metadata().name()),
                r instanceof IPPool pool ? Codec.encodePool(pool, 1) : Codec.encodeResource(r));
    }

    private static void del(Batch batch, Resource r) {
        batch.delete(Space.OBJECTS, Keys.object(r.kind(), r.project(), r.metadata().namespace(), r.metadata().name()));
    }

    private static ObjectMeta meta(String name, String ns, long index, long ts, java.util.SortedMap<String, String> labels,
                                   java.util.SortedMap<String, String> annotations) {
        return new ObjectMeta(name, ns, "uid-" + index + "-" + name, index, 1, ts, labels, annotations);
    }

    private static Result ok(int code, Resource object, List<Result.Change> changes) {
        return new Result(code, null, "", List.of(), object, changes);
    }

    private static Result check(Resource current, long expected, String what) {
        if (current == null) {
            return Result.rejected(Result.Reason.NotFound, what + " not found");
        }
        if (expected != 0 && expected != current.metadata().resourceVersion()) {
            return Result.rejected(Result.Reason.Conflict, "the object has been modified: " + what + " resourceVersion="
                    + current.metadata().resourceVersion() + " expected=" + expected);
        }
        return null;
    }

    private static ObjectMeta relabel(ObjectMeta m, long index, java.util.SortedMap<String, String> labels,
                                      java.util.SortedMap<String, String> annotations) {
        return new ObjectMeta(m.name(), m.namespace(), m.uid(), index, m.generation(), m.creationTimestampMs(), labels,
                annotations);
    }

    public Result execute(Batch batch, long index, long ts, Command command) {
        if (command instanceof Command.CreateProject c) {
            if (get(batch, Kind.PROJECT, "", "", c.name()) != null) {
                return Result.rejected(Result.Reason.AlreadyExists, "project " + c.name() + " already exists");
            }
            Project p = new Project(meta(c.name(), "", index, ts, c.labels(), c.annotations()), c.spec(),
                    new Project.ProjectStatus(new Project.Usage(0, 0, 0), List.of()));
            put(batch, p);
            return ok(201, p, List.of(new Result.Change(ChangeType.ADDED, p)));
        }
        if (command instanceof Command.DeleteProject c) {
            Resource p = get(batch, Kind.PROJECT, "", "", c.name());
            Result bad = check(p, c.expectedResourceVersion(), "project " + c.name());
            if (bad != null) {
                return bad;
            }
            if (batch.first(Space.OBJECTS, Keys.objectPrefix(Kind.POOL, c.name(), null),
                    Keys.prefixEnd(Keys.objectPrefix(Kind.POOL, c.name(), null))) != null
                    || batch.first(Space.OBJECTS, Keys.objectPrefix(Kind.CLAIM, c.name(), null),
                    Keys.prefixEnd(Keys.objectPrefix(Kind.CLAIM, c.name(), null))) != null) {
                return Result.rejected(Result.Reason.Conflict, "project " + c.name() + " has pools or claims");
            }
            del(batch, p);
            return ok(200, p, List.of(new Result.Change(ChangeType.DELETED, p)));
        }
        if (command instanceof Command.UpdateProject c) {
            Project p = (Project) get(batch, Kind.PROJECT, "", "", c.name());
            Result bad = check(p, c.expectedResourceVersion(), "project " + c.name());
            if (bad != null) {
                return bad;
            }
            Project n = new Project(relabel(p.metadata(), index, c.labels(), c.annotations()),
                    c.spec() == null ? p.spec() : c.spec(), p.status());
            put(batch, n);
            return ok(200, n, List.of(new Result.Change(ChangeType.MODIFIED, n)));
        }
        if (command instanceof Command.CreatePool c) {
            if (get(batch, Kind.POOL, c.project(), "", c.name()) != null) {
                return Result.rejected(Result.Reason.AlreadyExists, "ippools \"" + c.name() + "\" already exists");
            }
            if (c.spec().cidr() == null || !c.spec().cidr().contains("/")) {
                return Result.rejected(Result.Reason.Invalid, "spec.cidr", "spec.cidr: Required value: a canonical CIDR");
            }
            IPPool p = new IPPool(c.project(), meta(c.name(), "", index, ts, c.labels(), c.annotations()), c.spec(),
                    new IPPool.Status(PoolPhase.Ready, c.spec().cidr(), c.spec().ipFamily(),
                            new IPPool.Capacity(256, 0, 256), 24, 0, List.of()));
            put(batch, p);
            return ok(201, p, List.of(new Result.Change(ChangeType.ADDED, p)));
        }
        if (command instanceof Command.UpdatePool c) {
            IPPool p = (IPPool) get(batch, Kind.POOL, c.project(), "", c.name());
            Result bad = check(p, c.expectedResourceVersion(), "ippools \"" + c.name() + "\"");
            if (bad != null) {
                return bad;
            }
            if (c.spec() != null && c.spec().cidr() != null && !c.spec().cidr().equals(p.spec().cidr())) {
                return Result.rejected(Result.Reason.Invalid, "spec.cidr", "spec.cidr: Invalid value: field is immutable");
            }
            IPPool n = new IPPool(p.project(), relabel(p.metadata(), index, c.labels(), c.annotations()), p.spec(), p.status());
            put(batch, n);
            return ok(200, n, List.of(new Result.Change(ChangeType.MODIFIED, n)));
        }
        if (command instanceof Command.DeletePool c) {
            IPPool p = (IPPool) get(batch, Kind.POOL, c.project(), "", c.name());
            Result bad = check(p, c.expectedResourceVersion(), "ippools \"" + c.name() + "\"");
            if (bad != null) {
                return bad;
            }
            if (p.status().capacity().allocated() > 0) {
                return Result.rejected(Result.Reason.Conflict, "pool " + c.name() + " has allocations");
            }
            del(batch, p);
            return ok(200, p, List.of(new Result.Change(ChangeType.DELETED, p)));
        }
        if (command instanceof Command.CreateClaim c) {
            if (get(batch, Kind.CLAIM, c.project(), c.namespace(), c.name()) != null) {
                return Result.rejected(Result.Reason.AlreadyExists, "ipclaims \"" + c.name() + "\" already exists");
            }
            if (c.spec().poolRef() == null) {
                return Result.rejected(Result.Reason.BadRequest, "spec.poolRef", "no pool matches");
            }
            IPPool pool = (IPPool) get(batch, Kind.POOL, c.project(), "", c.spec().poolRef().name());
            if (pool == null) {
                return Result.rejected(Result.Reason.BadRequest, "spec.poolRef.name", "pool not found");
            }
            long used = pool.status().capacity().allocated();
            int length = c.spec().prefixLength() == null ? 32 : c.spec().prefixLength();
            long size = 1L << (32 - length);
            if (used + size > 256) {
                return Result.rejected(Result.Reason.InsufficientStorage, "pool=" + pool.metadata().name() + " exhausted");
            }
            String base = pool.spec().cidr().substring(0, pool.spec().cidr().lastIndexOf('.'));
            String cidr = base + "." + used + "/" + length;
            String allocName = IPAllocation.nameFor(c.namespace(), c.name());
            IPClaim claim = new IPClaim(c.project(), meta(c.name(), c.namespace(), index, ts, c.labels(), c.annotations()),
                    new IPClaim.Spec(c.spec().ipFamily(), length, c.spec().poolRef(), null, c.spec().cidr(),
                            c.spec().ownerRef(), c.spec().reclaimPolicy() == null ? ReclaimPolicy.Delete
                            : c.spec().reclaimPolicy()),
                    new IPClaim.Status(ClaimPhase.Bound, cidr, new Refs.LocalRef(allocName), c.spec().poolRef(), List.of()));
            IPAllocation alloc = new IPAllocation(c.project(), meta(allocName, c.namespace(), index, ts, null, null),
                    new IPAllocation.Spec(c.spec().ipFamily(), c.spec().poolRef()),
                    new IPAllocation.Status(AllocationPhase.Ready, cidr, new Refs.LocalRef(c.name()), List.of()));
            IPPool.Status s = pool.status();
            IPPool np = new IPPool(pool.project(), pool.metadata().withResourceVersion(index), pool.spec(),
                    new IPPool.Status(s.phase(), s.allocatedCIDR(), s.ipFamily(),
                            new IPPool.Capacity(256, used + size, 256 - used - size), 24, (int) ((used + size) * 100 / 256),
                            List.of()));
            put(batch, claim);
            put(batch, alloc);
            put(batch, np);
            List<Result.Change> changes = new ArrayList<>();
            changes.add(new Result.Change(ChangeType.ADDED, claim));
            changes.add(new Result.Change(ChangeType.ADDED, alloc));
            changes.add(new Result.Change(ChangeType.MODIFIED, np));
            return ok(201, claim, changes);
        }
        if (command instanceof Command.UpdateClaim c) {
            IPClaim p = (IPClaim) get(batch, Kind.CLAIM, c.project(), c.namespace(), c.name());
            Result bad = check(p, c.expectedResourceVersion(), "ipclaims \"" + c.name() + "\"");
            if (bad != null) {
                return bad;
            }
            if (c.spec() != null && !c.spec().equals(p.spec())) {
                return Result.rejected(Result.Reason.Invalid, "spec", "spec: Invalid value: field is immutable");
            }
            IPClaim n = new IPClaim(p.project(), relabel(p.metadata(), index, c.labels(), c.annotations()), p.spec(), p.status());
            put(batch, n);
            return ok(200, n, List.of(new Result.Change(ChangeType.MODIFIED, n)));
        }
        if (command instanceof Command.DeleteClaim c) {
            IPClaim p = (IPClaim) get(batch, Kind.CLAIM, c.project(), c.namespace(), c.name());
            Result bad = check(p, c.expectedResourceVersion(), "ipclaims \"" + c.name() + "\"");
            if (bad != null) {
                return bad;
            }
            del(batch, p);
            Resource alloc = get(batch, Kind.ALLOCATION, c.project(), c.namespace(),
                    IPAllocation.nameFor(c.namespace(), c.name()));
            List<Result.Change> changes = new ArrayList<>();
            changes.add(new Result.Change(ChangeType.DELETED, p));
            if (alloc != null) {
                del(batch, alloc);
                changes.add(new Result.Change(ChangeType.DELETED, alloc));
            }
            return ok(200, p, changes);
        }
        if (command instanceof Command.DeleteAllocation c) {
            IPAllocation p = (IPAllocation) get(batch, Kind.ALLOCATION, c.project(), c.namespace(), c.name());
            Result bad = check(p, c.expectedResourceVersion(), "ipallocations \"" + c.name() + "\"");
            if (bad != null) {
                return bad;
            }
            if (p.status().claimRef() != null) {
                return Result.rejected(Result.Reason.Conflict, "allocation is bound to claim " + p.status().claimRef().name());
            }
            del(batch, p);
            return ok(200, p, List.of(new Result.Change(ChangeType.DELETED, p)));
        }
        if (command instanceof Command.UpdateAllocation c) {
            IPAllocation p = (IPAllocation) get(batch, Kind.ALLOCATION, c.project(), c.namespace(), c.name());
            Result bad = check(p, c.expectedResourceVersion(), "ipallocations \"" + c.name() + "\"");
            if (bad != null) {
                return bad;
            }
            IPAllocation n = new IPAllocation(p.project(), relabel(p.metadata(), index, c.labels(), c.annotations()),
                    p.spec(), p.status());
            put(batch, n);
            return ok(200, n, List.of(new Result.Change(ChangeType.MODIFIED, n)));
        }
        throw new IllegalStateException("unknown command " + command);
    }
}
