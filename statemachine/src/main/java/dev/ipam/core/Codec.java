package dev.ipam.core;

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
import dev.ipam.core.model.PoolPhase;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Resource;
import dev.ipam.core.model.SelectorOperator;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.model.Visibility;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The versioned binary format of commands, results and stored objects. Hand-written: a version
 * byte, a type tag, then fields in declaration order (varints, length-prefixed UTF-8, presence bytes,
 * enum ordinals + 1). Adding a field means a new version; decoders refuse versions they do not know.
 */
public final class Codec {
    /** The format version written by this code. */
    public static final int VERSION = 1;
    /** Limits on decoded collections: a corrupt length must not allocate gigabytes. */
    public static final int MAP_ENTRIES_MAX = 1024;
    public static final int LIST_ITEMS_MAX = 100_000;

    private Codec() {
    }

    /** Undecodable bytes: a bad version, a truncated buffer, an unknown tag. */
    public static final class Malformed extends IllegalArgumentException {
        public Malformed(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- commands

    private static final int CREATE_PROJECT = 1;
    private static final int UPDATE_PROJECT = 2;
    private static final int DELETE_PROJECT = 3;
    private static final int CREATE_POOL = 4;
    private static final int UPDATE_POOL = 5;
    private static final int DELETE_POOL = 6;
    private static final int CREATE_CLAIM = 7;
    private static final int UPDATE_CLAIM = 8;
    private static final int DELETE_CLAIM = 9;
    private static final int UPDATE_ALLOCATION = 10;
    private static final int DELETE_ALLOCATION = 11;

    // Each enum's values once: values() clones its array, and decoding called it for every enum field
    // read (0.5% of the in-memory benchmark).
    private static final Result.Reason[] REASONS = Result.Reason.values();
    private static final ChangeType[] CHANGE_TYPES = ChangeType.values();
    private static final PoolPhase[] POOL_PHASES = PoolPhase.values();
    private static final IPFamily[] FAMILIES = IPFamily.values();
    private static final ClaimPhase[] CLAIM_PHASES = ClaimPhase.values();
    private static final AllocationPhase[] ALLOCATION_PHASES = AllocationPhase.values();
    private static final ConditionStatus[] CONDITION_STATUSES = ConditionStatus.values();
    private static final Strategy[] STRATEGIES = Strategy.values();
    private static final Visibility[] VISIBILITIES = Visibility.values();
    private static final SelectorOperator[] OPERATORS = SelectorOperator.values();
    private static final ReclaimPolicy[] RECLAIM_POLICIES = ReclaimPolicy.values();

    public static byte[] encodeCommand(Command command) {
        Wire.Writer out = new Wire.Writer(128);
        out.u8(VERSION);
        if (command instanceof Command.CreateProject c) {
            out.u8(CREATE_PROJECT);
            out.string(c.actor());
            out.string(c.name());
            map(out, c.labels());
            map(out, c.annotations());
            projectSpec(out, c.spec());
        } else if (command instanceof Command.UpdateProject c) {
            out.u8(UPDATE_PROJECT);
            out.string(c.actor());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
            map(out, c.labels());
            map(out, c.annotations());
            projectSpec(out, c.spec());
        } else if (command instanceof Command.DeleteProject c) {
            out.u8(DELETE_PROJECT);
            out.string(c.actor());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
        } else if (command instanceof Command.CreatePool c) {
            out.u8(CREATE_POOL);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.name());
            map(out, c.labels());
            map(out, c.annotations());
            poolSpec(out, c.spec());
        } else if (command instanceof Command.UpdatePool c) {
            out.u8(UPDATE_POOL);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
            map(out, c.labels());
            map(out, c.annotations());
            poolSpec(out, c.spec());
        } else if (command instanceof Command.DeletePool c) {
            out.u8(DELETE_POOL);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
        } else if (command instanceof Command.CreateClaim c) {
            out.u8(CREATE_CLAIM);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.namespace());
            out.string(c.name());
            map(out, c.labels());
            map(out, c.annotations());
            claimSpec(out, c.spec());
        } else if (command instanceof Command.UpdateClaim c) {
            out.u8(UPDATE_CLAIM);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.namespace());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
            map(out, c.labels());
            map(out, c.annotations());
            claimSpec(out, c.spec());
        } else if (command instanceof Command.DeleteClaim c) {
            out.u8(DELETE_CLAIM);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.namespace());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
        } else if (command instanceof Command.UpdateAllocation c) {
            out.u8(UPDATE_ALLOCATION);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.namespace());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
            map(out, c.labels());
            map(out, c.annotations());
        } else if (command instanceof Command.DeleteAllocation c) {
            out.u8(DELETE_ALLOCATION);
            out.string(c.actor());
            out.string(c.project());
            out.string(c.namespace());
            out.string(c.name());
            out.varlong(c.expectedResourceVersion());
        } else {
            throw new IllegalStateException("unhandled command " + command.getClass());
        }
        return out.toByteArray();
    }

    public static Command decodeCommand(byte[] bytes) {
        Wire.Reader in = reader(bytes);
        int tag = in.u8();
        Command command = switch (tag) {
            case CREATE_PROJECT -> new Command.CreateProject(in.string(), in.string(), map(in), map(in), projectSpec(in));
            case UPDATE_PROJECT -> new Command.UpdateProject(in.string(), in.string(), in.varlong(), map(in), map(in),
                    projectSpec(in));
            case DELETE_PROJECT -> new Command.DeleteProject(in.string(), in.string(), in.varlong());
            case CREATE_POOL -> new Command.CreatePool(in.string(), in.string(), in.string(), map(in), map(in),
                    poolSpec(in));
            case UPDATE_POOL -> new Command.UpdatePool(in.string(), in.string(), in.string(), in.varlong(), map(in),
                    map(in), poolSpec(in));
            case DELETE_POOL -> new Command.DeletePool(in.string(), in.string(), in.string(), in.varlong());
            case CREATE_CLAIM -> new Command.CreateClaim(in.string(), in.string(), in.string(), in.string(), map(in),
                    map(in), claimSpec(in));
            case UPDATE_CLAIM -> new Command.UpdateClaim(in.string(), in.string(), in.string(), in.string(),
                    in.varlong(), map(in), map(in), claimSpec(in));
            case DELETE_CLAIM -> new Command.DeleteClaim(in.string(), in.string(), in.string(), in.string(),
                    in.varlong());
            case UPDATE_ALLOCATION -> new Command.UpdateAllocation(in.string(), in.string(), in.string(), in.string(),
                    in.varlong(), map(in), map(in));
            case DELETE_ALLOCATION -> new Command.DeleteAllocation(in.string(), in.string(), in.string(), in.string(),
                    in.varlong());
            default -> throw new Malformed("unknown command tag " + tag);
        };
        end(in);
        return command;
    }

    /**
     * Whether encoded bytes are a CreateClaim or a DeleteClaim, read from the tag alone (for
     * counters on the apply path, which must not pay a full decode per command). Empty when the
     * bytes are neither or not of this format version.
     */
    public static Optional<Class<? extends Command>> claimCommandType(byte[] bytes) {
        if (bytes == null || bytes.length < 2 || (bytes[0] & 0xff) != VERSION) {
            return Optional.empty();
        }
        return switch (bytes[1] & 0xff) {
            case CREATE_CLAIM -> Optional.of(Command.CreateClaim.class);
            case DELETE_CLAIM -> Optional.of(Command.DeleteClaim.class);
            default -> Optional.empty();
        };
    }

    // ---------------------------------------------------------------- results

    public static byte[] encodeResult(Result result) {
        return encodeResult(result, null);
    }

    /** Encodes a result reusing the already encoded bodies of its objects where given ({@code bodies} may be null). */
    static byte[] encodeResult(Result result, Bodies bodies) {
        return encodeApplied(result, bodies).result();
    }

    /**
     * The result and its answer (the same result with no changes), from one encoding: the answer is
     * the bytes before the change count, then a count of zero; the result itself when there are no
     * changes.
     */
    static Core.Applied encodeApplied(Result result, Bodies bodies) {
        Wire.Writer out = scratch();
        out.u8(VERSION);
        out.varlong(result.code());
        out.enumValue(result.reason());
        out.string(result.message());
        out.uvarint(result.causes().size());
        for (Result.Cause cause : result.causes()) {
            out.string(cause.type());
            out.string(cause.field());
            out.string(cause.message());
        }
        out.bool(result.object() != null);
        if (result.object() != null) {
            resourceOrBody(out, result.object(), bodies);
        }
        int head = out.size();
        out.uvarint(result.changes().size());
        for (Result.Change change : result.changes()) {
            out.enumValue(change.type());
            resourceOrBody(out, change.object(), bodies);
            // Results with changes go to this node's watches only (a stored answer has none), so the
            // previous object needs no new format version.
            out.bool(change.previous() != null);
            if (change.previous() != null) {
                resource(out, change.previous());
            }
        }
        byte[] full = out.copy();
        if (result.changes().isEmpty()) {
            return new Core.Applied(full, full);
        }
        byte[] answer = Arrays.copyOf(full, head + 1); // uvarint(0) is the single byte 0
        answer[head] = 0;
        return new Core.Applied(full, answer);
    }

    public static Result decodeResult(byte[] bytes) {
        Wire.Reader in = reader(bytes);
        int code = in.intValue();
        Result.Reason reason = in.enumValue(REASONS);
        String message = in.string();
        int causeCount = in.count(LIST_ITEMS_MAX);
        List<Result.Cause> causes = new ArrayList<>(causeCount);
        for (int i = 0; i < causeCount; i++) {
            causes.add(new Result.Cause(in.string(), in.string(), in.string()));
        }
        Resource object = in.bool() ? resource(in) : null;
        int changeCount = in.count(LIST_ITEMS_MAX);
        List<Result.Change> changes = new ArrayList<>(changeCount);
        for (int i = 0; i < changeCount; i++) {
            ChangeType type = required(in.enumValue(CHANGE_TYPES), "change type");
            Resource changed = resource(in);
            changes.add(new Result.Change(type, changed, in.bool() ? resource(in) : null));
        }
        end(in);
        return new Result(code, reason, message, causes, object, changes);
    }

    /** The code and reason of an encoded result, without decoding its objects and changes. */
    public static Result.Outcome decodeOutcome(byte[] bytes) {
        Wire.Reader in = reader(bytes);
        int code = in.intValue();
        return new Result.Outcome(code, in.enumValue(REASONS));
    }

    /** The most bytes a thread's scratch writer keeps between uses (one large object may grow it further, once). */
    private static final int SCRATCH_BYTES_MAX = 64 * 1024;
    /**
     * One reusable output buffer per thread for the encoders that return a right-sized copy
     * (stored objects, results): one allocation per encoding instead of a guess plus a trim. Never
     * held across calls that could nest (neither encoder calls the other).
     */
    private static final ThreadLocal<Wire.Writer> SCRATCH = ThreadLocal.withInitial(() -> new Wire.Writer(4096));

    private static Wire.Writer scratch() {
        Wire.Writer out = SCRATCH.get();
        out.reset(SCRATCH_BYTES_MAX);
        return out;
    }

    private static void resourceOrBody(Wire.Writer out, Resource resource, Bodies bodies) {
        Stored stored = bodies == null ? null : bodies.get(resource);
        if (stored != null) {
            out.raw(stored.value(), 1, stored.bodyLength());
        } else {
            resource(out, resource);
        }
    }

    /**
     * The encoded bodies of the objects one command wrote, found by the objects' identity (a record's
     * hashCode would walk the whole object). A command writes a handful, so a list searched with
     * {@code ==} does: the IdentityHashMap it replaced was 1.8% of the in-memory benchmark, mostly
     * the VM call that gives each new object its first identity hash.
     */
    static final class Bodies {
        private Resource[] objects = new Resource[8];
        private Stored[] stored = new Stored[8];
        private int size;

        /** Records {@code body} as the encoding of {@code object}; a later put for the same object wins ({@link #get}). */
        void put(Resource object, Stored body) {
            if (size == objects.length) {
                objects = Arrays.copyOf(objects, size * 2);
                stored = Arrays.copyOf(stored, size * 2);
            }
            objects[size] = object;
            stored[size++] = body;
        }

        /** The body recorded last for this very object, or null. */
        Stored get(Resource object) {
            for (int i = size - 1; i >= 0; i--) {
                if (objects[i] == object) {
                    return stored[i];
                }
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- objects

    /** A stored value (version byte, body, pools: allocator id) and where its body ends, to embed in results. */
    record Stored(byte[] value, int bodyEnd) {
        int bodyLength() {
            return bodyEnd - 1;
        }
    }

    /** Encodes an object once as its stored value; the result reuses the body inside it (no second encoding or copy). */
    static Stored stored(Resource resource, long poolId) {
        Wire.Writer out = scratch();
        out.u8(VERSION);
        resource(out, resource);
        int bodyEnd = out.size();
        if (resource instanceof IPPool) {
            out.uvarint(poolId);
        }
        return new Stored(out.copy(), bodyEnd);
    }

    /**
     * What {@code stored(Context.withResourceVersion(decodeResource(value), version), 0)} gives for
     * a claim, allocation or project, spliced from the stored value instead: the bytes before and
     * after the resourceVersion are copied. A delete records the object's last state this way
     * (encoding it again was 7% of the in-memory benchmark's CPU). Null for a pool, whose stored
     * value ends with its allocator id where a delete's record has 0.
     */
    static Stored withResourceVersion(byte[] value, long version) {
        Wire.Reader in = reader(value);
        int kind = in.u8();
        if (kind == Kind.POOL.id) {
            return null;
        }
        if (kind != Kind.PROJECT.id) {
            in.skipString(); // project
        }
        in.skipString(); // name
        in.skipString(); // namespace
        in.skipString(); // uid
        int from = in.position();
        in.varlong();
        int to = in.position();
        Wire.Writer out = scratch();
        out.raw(value, 0, from);
        out.varlong(version);
        out.raw(value, to, value.length - to);
        byte[] spliced = out.copy();
        return new Stored(spliced, spliced.length);
    }

    /**
     * The stored form of an object (the value in Space.OBJECTS). A pool is followed by its allocator
     * id, written as 0 here (the core stores pools with their real id, see {@link #encodePool}).
     */
    public static byte[] encodeResource(Resource resource) {
        Wire.Writer out = new Wire.Writer(256);
        out.u8(VERSION);
        resource(out, resource);
        if (resource instanceof IPPool) {
            out.uvarint(0);
        }
        return out.toByteArray();
    }

    /** Decodes a stored object (pools included: their allocator id is skipped). */
    public static Resource decodeResource(byte[] bytes) {
        Wire.Reader in = reader(bytes);
        Resource resource = resource(in);
        if (resource instanceof IPPool) {
            in.uvarint();
        }
        end(in);
        return resource;
    }

    /**
     * A stored pool with its allocator id, and, when apply wrote it lately, the layout of the value it
     * was written as (a memo: two stored pools are equal when their pool and id are).
     */
    record StoredPool(IPPool pool, long id, PoolLayout layout) {
        StoredPool(IPPool pool, long id) {
            this(pool, id, null);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof StoredPool that && id == that.id && pool.equals(that.pool);
        }

        @Override
        public int hashCode() {
            return pool.hashCode() * 31 + Long.hashCode(id);
        }
    }

    /**
     * A pool's stored value and where, in it, the resourceVersion starts and ends, the status starts,
     * its conditions start (-1: no status) and the body ends. Every claim and release rewrites its pool
     * with only the resourceVersion and status changed, mostly not the conditions ({@link #restatus}).
     */
    record PoolLayout(byte[] value, int versionFrom, int versionTo, int statusFrom, int conditionsFrom, int bodyEnd) {
        /** Marks as {@link #storedPool} and {@link #restatus} leave them (4 ints). */
        static PoolLayout of(Stored stored, int[] marks) {
            return new PoolLayout(stored.value(), marks[0], marks[1], marks[2], marks[3], stored.bodyEnd());
        }
    }

    /** {@link #stored} of a pool; marks (4 ints) receives its layout (see {@link PoolLayout#of}). */
    static Stored storedPool(IPPool pool, long poolId, int[] marks) {
        Wire.Writer out = scratch();
        out.u8(VERSION);
        out.u8(pool.kind().id);
        pool(out, pool, marks);
        int bodyEnd = out.size();
        out.uvarint(poolId);
        return new Stored(out.copy(), bodyEnd);
    }

    /**
     * What {@code storedPool(pool, poolId, marks)} gives for a pool that differs from the one stored
     * as {@code layout} only in its resourceVersion and status, spliced: the bytes between the two
     * are copied and the status encoded, its conditions copied too when the caller knows them to be
     * the ones the layout's pool has ({@code sameConditions}). Encoding the whole pool again for
     * every claim and release was 4% of the in-memory benchmark's CPU.
     */
    static Stored restatus(PoolLayout layout, IPPool pool, long poolId, int[] marks, boolean sameConditions) {
        byte[] value = layout.value();
        Wire.Writer out = scratch();
        out.raw(value, 0, layout.versionFrom());
        marks[0] = out.size();
        out.varlong(pool.metadata().resourceVersion());
        marks[1] = out.size();
        out.raw(value, layout.versionTo(), layout.statusFrom() - layout.versionTo());
        marks[2] = out.size();
        IPPool.Status status = pool.status();
        poolStatusHead(out, status);
        marks[3] = status == null ? -1 : out.size();
        if (status != null) {
            if (sameConditions && layout.conditionsFrom() >= 0) {
                out.raw(value, layout.conditionsFrom(), layout.bodyEnd() - layout.conditionsFrom());
            } else {
                conditions(out, status.conditions());
            }
        }
        int bodyEnd = out.size();
        out.uvarint(poolId);
        return new Stored(out.copy(), bodyEnd);
    }

    static StoredPool decodePool(byte[] bytes) {
        Wire.Reader in = reader(bytes);
        Resource resource = resource(in);
        if (!(resource instanceof IPPool pool)) {
            throw new Malformed("not a pool: " + resource.kind());
        }
        long id = in.uvarint();
        end(in);
        return new StoredPool(pool, id);
    }

    private static Wire.Reader reader(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new Malformed("empty");
        }
        Wire.Reader in = new Wire.Reader(bytes);
        int version = in.u8();
        if (version != VERSION) {
            throw new Malformed("format version " + version + " unknown (this build reads " + VERSION + ")");
        }
        return in;
    }

    private static void end(Wire.Reader in) {
        if (!in.atEnd()) {
            throw new Malformed("trailing bytes");
        }
    }

    private static <T> T required(T value, String what) {
        if (value == null) {
            throw new Malformed(what + " missing");
        }
        return value;
    }

    private static void resource(Wire.Writer out, Resource resource) {
        out.u8(resource.kind().id);
        if (resource instanceof Project p) {
            meta(out, p.metadata());
            projectSpec(out, p.spec());
            out.bool(p.status() != null);
            if (p.status() != null) {
                Project.Usage usage = p.status().usage();
                out.bool(usage != null);
                if (usage != null) {
                    out.varlong(usage.claims());
                    out.varlong(usage.ipv4Addresses());
                    out.varlong(usage.pools());
                }
                conditions(out, p.status().conditions());
            }
        } else if (resource instanceof IPPool p) {
            pool(out, p, null);
        } else if (resource instanceof IPClaim c) {
            out.string(c.project());
            meta(out, c.metadata());
            claimSpec(out, c.spec());
            IPClaim.Status s = c.status();
            out.bool(s != null);
            if (s != null) {
                out.enumValue(s.phase());
                out.string(s.allocatedCIDR());
                localRef(out, s.boundAllocationRef());
                poolRef(out, s.poolRef());
                conditions(out, s.conditions());
            }
        } else if (resource instanceof IPAllocation a) {
            out.string(a.project());
            meta(out, a.metadata());
            out.bool(a.spec() != null);
            if (a.spec() != null) {
                out.enumValue(a.spec().ipFamily());
                poolRef(out, a.spec().poolRef());
            }
            IPAllocation.Status s = a.status();
            out.bool(s != null);
            if (s != null) {
                out.enumValue(s.phase());
                out.string(s.allocatedCIDR());
                localRef(out, s.claimRef());
                conditions(out, s.conditions());
            }
        }
    }

    private static Resource resource(Wire.Reader in) {
        int kindId = in.u8();
        Kind kind;
        try {
            kind = Kind.ofId(kindId);
        } catch (IllegalArgumentException e) {
            throw new Malformed("unknown kind id " + kindId);
        }
        switch (kind) {
            case PROJECT: {
                ObjectMeta meta = meta(in);
                Project.ProjectSpec spec = projectSpec(in);
                Project.ProjectStatus status = null;
                if (in.bool()) {
                    Project.Usage usage = in.bool() ? new Project.Usage(in.varlong(), in.varlong(), in.varlong()) : null;
                    status = new Project.ProjectStatus(usage, conditions(in));
                }
                return new Project(meta, spec, status);
            }
            case POOL: {
                String project = in.string();
                ObjectMeta meta = meta(in);
                IPPool.Spec spec = poolSpec(in);
                IPPool.Status status = null;
                if (in.bool()) {
                    PoolPhase phase = in.enumValue(POOL_PHASES);
                    String cidr = in.string();
                    IPFamily family = in.enumValue(FAMILIES);
                    IPPool.Capacity capacity = in.bool()
                            ? new IPPool.Capacity(in.varlong(), in.varlong(), in.varlong()) : null;
                    status = new IPPool.Status(phase, cidr, family, capacity, in.intValue(), in.intValue(),
                            conditions(in));
                }
                return new IPPool(project, meta, spec, status);
            }
            case CLAIM: {
                String project = in.string();
                ObjectMeta meta = meta(in);
                IPClaim.Spec spec = claimSpec(in);
                IPClaim.Status status = null;
                if (in.bool()) {
                    status = new IPClaim.Status(in.enumValue(CLAIM_PHASES), in.string(), localRef(in),
                            poolRef(in), conditions(in));
                }
                return new IPClaim(project, meta, spec, status);
            }
            case ALLOCATION: {
                String project = in.string();
                ObjectMeta meta = meta(in);
                IPAllocation.Spec spec = in.bool()
                        ? new IPAllocation.Spec(in.enumValue(FAMILIES), poolRef(in)) : null;
                IPAllocation.Status status = null;
                if (in.bool()) {
                    status = new IPAllocation.Status(in.enumValue(ALLOCATION_PHASES), in.string(),
                            localRef(in), conditions(in));
                }
                return new IPAllocation(project, meta, spec, status);
            }
            default:
                throw new Malformed("unknown kind " + kind);
        }
    }

    /**
     * A pool's body. marks, when not null, receives where its resourceVersion starts and ends, where
     * its status starts and where its conditions start, -1 without a status (a {@link PoolLayout}).
     */
    private static void pool(Wire.Writer out, IPPool p, int[] marks) {
        out.string(p.project());
        meta(out, p.metadata(), marks);
        poolSpec(out, p.spec());
        if (marks != null) {
            marks[2] = out.size();
        }
        poolStatusHead(out, p.status());
        if (marks != null) {
            marks[3] = p.status() == null ? -1 : out.size();
        }
        if (p.status() != null) {
            conditions(out, p.status().conditions());
        }
    }

    /** A pool's status up to its conditions, which follow it when the status is not null. */
    private static void poolStatusHead(Wire.Writer out, IPPool.Status s) {
        out.bool(s != null);
        if (s != null) {
            out.enumValue(s.phase());
            out.string(s.allocatedCIDR());
            out.enumValue(s.ipFamily());
            out.bool(s.capacity() != null);
            if (s.capacity() != null) {
                out.varlong(s.capacity().total());
                out.varlong(s.capacity().allocated());
                out.varlong(s.capacity().available());
            }
            out.varlong(s.largestFreePrefix());
            out.varlong(s.utilizationPercent());
        }
    }

    private static void meta(Wire.Writer out, ObjectMeta meta) {
        meta(out, meta, null);
    }

    /** marks, when not null, receives where the resourceVersion starts ([0]) and ends ([1]). */
    private static void meta(Wire.Writer out, ObjectMeta meta, int[] marks) {
        out.string(meta.name());
        out.string(meta.namespace());
        out.string(meta.uid());
        if (marks != null) {
            marks[0] = out.size();
        }
        out.varlong(meta.resourceVersion());
        if (marks != null) {
            marks[1] = out.size();
        }
        out.varlong(meta.generation());
        out.varlong(meta.creationTimestampMs());
        map(out, meta.labels());
        map(out, meta.annotations());
    }

    private static ObjectMeta meta(Wire.Reader in) {
        return new ObjectMeta(in.string(), in.string(), in.string(), in.varlong(), in.varlong(), in.varlong(),
                map(in), map(in));
    }

    private static void map(Wire.Writer out, SortedMap<String, String> map) {
        if (map == null) {
            out.uvarint(0);
            return;
        }
        out.uvarint(map.size());
        for (var entry : map.entrySet()) {
            out.string(entry.getKey());
            out.string(entry.getValue());
        }
    }

    private static SortedMap<String, String> map(Wire.Reader in) {
        int count = in.count(MAP_ENTRIES_MAX);
        if (count == 0) {
            return Collections.emptySortedMap();
        }
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            map.put(required(in.string(), "map key"), in.string());
        }
        return map;
    }

    private static void strings(Wire.Writer out, List<String> list) {
        out.uvarint(list.size());
        for (String value : list) {
            out.string(value);
        }
    }

    private static List<String> strings(Wire.Reader in) {
        int count = in.count(LIST_ITEMS_MAX);
        List<String> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(required(in.string(), "list item"));
        }
        return list;
    }

    private static void conditions(Wire.Writer out, List<Condition> conditions) {
        out.uvarint(conditions.size());
        for (Condition c : conditions) {
            out.string(c.type());
            out.enumValue(c.status());
            out.string(c.reason());
            out.string(c.message());
            out.varlong(c.lastTransitionTimeMs());
            out.varlong(c.observedGeneration());
        }
    }

    private static List<Condition> conditions(Wire.Reader in) {
        int count = in.count(LIST_ITEMS_MAX);
        List<Condition> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new Condition(in.string(), in.enumValue(CONDITION_STATUSES), in.string(), in.string(),
                    in.varlong(), in.varlong()));
        }
        return list;
    }

    private static void localRef(Wire.Writer out, Refs.LocalRef ref) {
        out.bool(ref != null);
        if (ref != null) {
            out.string(ref.name());
        }
    }

    private static Refs.LocalRef localRef(Wire.Reader in) {
        return in.bool() ? new Refs.LocalRef(in.string()) : null;
    }

    private static void projectRef(Wire.Writer out, Refs.ProjectRef ref) {
        out.bool(ref != null);
        if (ref != null) {
            out.string(ref.name());
        }
    }

    private static Refs.ProjectRef projectRef(Wire.Reader in) {
        return in.bool() ? new Refs.ProjectRef(in.string()) : null;
    }

    private static void poolRef(Wire.Writer out, Refs.PoolRef ref) {
        out.bool(ref != null);
        if (ref != null) {
            out.string(ref.name());
            projectRef(out, ref.projectRef());
        }
    }

    private static Refs.PoolRef poolRef(Wire.Reader in) {
        return in.bool() ? new Refs.PoolRef(in.string(), projectRef(in)) : null;
    }

    private static void projectSpec(Wire.Writer out, Project.ProjectSpec spec) {
        out.bool(spec != null);
        if (spec != null) {
            out.bool(spec.quota() != null);
            if (spec.quota() != null) {
                out.optionalLong(spec.quota().claims());
                out.optionalLong(spec.quota().ipv4Addresses());
            }
        }
    }

    private static Project.ProjectSpec projectSpec(Wire.Reader in) {
        if (!in.bool()) {
            return null;
        }
        Project.Quota quota = in.bool() ? new Project.Quota(in.optionalLong(), in.optionalLong()) : null;
        return new Project.ProjectSpec(quota);
    }

    private static void poolSpec(Wire.Writer out, IPPool.Spec spec) {
        out.bool(spec != null);
        if (spec == null) {
            return;
        }
        out.string(spec.cidr());
        out.enumValue(spec.ipFamily());
        localRef(out, spec.parentPoolRef());
        out.optionalInt(spec.prefixLength());
        IPPool.AllocationSettings allocation = spec.allocation();
        out.bool(allocation != null);
        if (allocation != null) {
            out.optionalInt(allocation.minPrefixLength());
            out.optionalInt(allocation.maxPrefixLength());
            out.enumValue(allocation.strategy());
        }
        out.enumValue(spec.visibility());
        strings(out, spec.allowedProjects());
    }

    private static IPPool.Spec poolSpec(Wire.Reader in) {
        if (!in.bool()) {
            return null;
        }
        String cidr = in.string();
        IPFamily family = in.enumValue(FAMILIES);
        Refs.LocalRef parent = localRef(in);
        Integer prefixLength = in.optionalInt();
        IPPool.AllocationSettings allocation = in.bool()
                ? new IPPool.AllocationSettings(in.optionalInt(), in.optionalInt(), in.enumValue(STRATEGIES))
                : null;
        return new IPPool.Spec(cidr, family, parent, prefixLength, allocation, in.enumValue(VISIBILITIES),
                strings(in));
    }

    private static void claimSpec(Wire.Writer out, IPClaim.Spec spec) {
        out.bool(spec != null);
        if (spec == null) {
            return;
        }
        out.enumValue(spec.ipFamily());
        out.optionalInt(spec.prefixLength());
        poolRef(out, spec.poolRef());
        PoolSelector selector = spec.poolSelector();
        out.bool(selector != null);
        if (selector != null) {
            map(out, selector.matchLabels());
            out.uvarint(selector.matchExpressions().size());
            for (PoolSelector.Requirement requirement : selector.matchExpressions()) {
                out.string(requirement.key());
                out.enumValue(requirement.operator());
                strings(out, requirement.values());
            }
            projectRef(out, selector.projectRef());
        }
        out.string(spec.cidr());
        Refs.ObjectRef owner = spec.ownerRef();
        out.bool(owner != null);
        if (owner != null) {
            out.string(owner.apiGroup());
            out.string(owner.kind());
            out.string(owner.name());
            out.string(owner.namespace());
        }
        out.enumValue(spec.reclaimPolicy());
    }

    private static IPClaim.Spec claimSpec(Wire.Reader in) {
        if (!in.bool()) {
            return null;
        }
        IPFamily family = in.enumValue(FAMILIES);
        Integer prefixLength = in.optionalInt();
        Refs.PoolRef poolRef = poolRef(in);
        PoolSelector selector = null;
        if (in.bool()) {
            SortedMap<String, String> labels = map(in);
            int count = in.count(LIST_ITEMS_MAX);
            List<PoolSelector.Requirement> requirements = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                requirements.add(new PoolSelector.Requirement(in.string(), in.enumValue(OPERATORS),
                        strings(in)));
            }
            selector = new PoolSelector(labels, requirements, projectRef(in));
        }
        String cidr = in.string();
        Refs.ObjectRef owner = in.bool() ? new Refs.ObjectRef(in.string(), in.string(), in.string(), in.string()) : null;
        return new IPClaim.Spec(family, prefixLength, poolRef, selector, cidr, owner,
                in.enumValue(RECLAIM_POLICIES));
    }
}
