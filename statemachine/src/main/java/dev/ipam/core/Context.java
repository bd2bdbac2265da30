package dev.ipam.core;

import dev.ipam.core.alloc.Allocator;
import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.Condition;
import dev.ipam.core.model.ConditionStatus;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.Resource;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Decoded;
import dev.ipam.core.store.Space;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What one command's application works with: the batch, the entry's index and time, the changes made. */
final class Context {
    final Batch batch;
    final long index;
    final long timestampMs;
    final Allocator allocator;
    final List<Result.Change> changes = new ArrayList<>(4);
    /** Encoded bodies of the objects written, by identity, so the result need not encode them again. */
    final Codec.Bodies bodies = new Codec.Bodies();
    private final Decoded decoded = Decoded.cache();
    /** The last CIDR text this command formatted or parsed, and its block (see {@link #block}). */
    private String lastCidr;
    private dev.ipam.core.alloc.Block lastBlock;

    Context(Batch batch, long index, long timestampMs) {
        this.batch = batch;
        this.index = index;
        this.timestampMs = timestampMs;
        this.allocator = new Allocator(batch);
    }

    // ------------------------------------------------------------------ reads

    Project project(String name) {
        return (Project) object(Keys.object(Kind.PROJECT, "", "", name));
    }

    Codec.StoredPool pool(String project, String name) {
        byte[] value = batch.get(Space.OBJECTS, Keys.object(Kind.POOL, project, "", name));
        return value == null ? null : storedPool(value);
    }

    IPClaim claim(String project, String namespace, String name) {
        return (IPClaim) object(Keys.object(Kind.CLAIM, project, namespace, name));
    }

    IPAllocation allocation(String project, String namespace, String name) {
        return (IPAllocation) object(Keys.object(Kind.ALLOCATION, project, namespace, name));
    }

    /**
     * The block a canonical CIDR names. A claim formats its block once and a release parses it once;
     * the audit trail then keys the same string, so the last text is remembered by identity (Block.parse
     * there was 2% of the in-memory benchmark). A memo only: any string parses to the same block.
     */
    dev.ipam.core.alloc.Block block(String cidr) {
        if (cidr != lastCidr) {
            lastBlock = storedBlock(cidr);
            lastCidr = cidr;
        }
        return lastBlock;
    }

    /** A CIDR the core wrote (canonical only: parsed without regex or InetAddress); anything else is a broken invariant. */
    static dev.ipam.core.alloc.Block storedBlock(String cidr) {
        dev.ipam.core.alloc.Block block = dev.ipam.core.alloc.Block.parse(cidr).block();
        if (block == null) {
            throw new IllegalStateException("stored block \"" + cidr + "\" is not a canonical CIDR");
        }
        return block;
    }

    /** block.cidr(), remembered for {@link #block}. */
    String cidr(dev.ipam.core.alloc.Block block) {
        lastCidr = block.cidr();
        lastBlock = block;
        return lastCidr;
    }

    /** The object (not a pool) stored under an OBJECTS key, or null. */
    Resource object(byte[] key) {
        byte[] value = batch.get(Space.OBJECTS, key);
        return value == null ? null : decoded.get(value, Resource.class, Codec::decodeResource);
    }

    /** A pool's stored value, decoded (or found in the cache of what apply wrote lately). */
    Codec.StoredPool storedPool(byte[] value) {
        return decoded.get(value, Codec.StoredPool.class, Codec::decodePool);
    }

    // ------------------------------------------------------------------ writes (each records its change)

    static byte[] key(Resource resource) {
        ObjectMeta meta = resource.metadata();
        return Keys.object(resource.kind(), resource.project(), meta.namespace(), meta.name());
    }

    void write(ChangeType type, Resource resource) {
        write(type, resource, null);
    }

    /** Writes {@code resource}; {@code previous} is the object it replaces, for MODIFIED (see {@link Result.Change}). */
    void write(ChangeType type, Resource resource, Resource previous) {
        if (resource instanceof IPPool) {
            throw new IllegalStateException("pools are written with writePool");
        }
        Codec.Stored stored = Codec.stored(resource, 0);
        bodies.put(resource, stored);
        decoded.put(stored.value(), resource);
        batch.put(Space.OBJECTS, key(resource), stored.value());
        changes.add(new Result.Change(type, resource, previous));
    }

    void writePool(ChangeType type, IPPool pool, long poolId) {
        writePool(type, pool, poolId, null);
    }

    /** Writes {@code pool}; {@code previous} is the pool it replaces, for MODIFIED (see {@link Result.Change}). */
    void writePool(ChangeType type, IPPool pool, long poolId, IPPool previous) {
        int[] marks = new int[4];
        recordPool(type, pool, poolId, Codec.storedPool(pool, poolId, marks), marks, previous);
    }

    /**
     * Writes {@code pool}, which differs from {@code previous.pool()} only in its resourceVersion and
     * status, spliced into the value previous was written as when apply wrote it lately.
     */
    void writePoolStatus(IPPool pool, Codec.StoredPool previous) {
        Codec.PoolLayout layout = previous.layout();
        // Counters alone leave what a selector sees as it was; a new phase (Ready, Exhausted) does not.
        IPPool replaced = phase(previous.pool()) == phase(pool) ? null : previous.pool();
        if (layout == null) {
            writePool(ChangeType.MODIFIED, pool, previous.id(), replaced);
            return;
        }
        int[] marks = new int[4];
        IPPool.Status before = previous.pool().status();
        // setCondition keeps the list when nothing changed, so identity says the bytes are the same
        boolean sameConditions = before != null && pool.status() != null && before.conditions() == pool.status().conditions();
        Codec.Stored stored = Codec.restatus(layout, pool, previous.id(), marks, sameConditions);
        if (Decoded.VERIFY) {
            sameAsEncoded(stored, Codec.storedPool(pool, previous.id(), new int[4]), pool);
        }
        recordPool(ChangeType.MODIFIED, pool, previous.id(), stored, marks, replaced);
    }

    private static dev.ipam.core.model.PoolPhase phase(IPPool pool) {
        return pool.status() == null ? null : pool.status().phase();
    }

    private void recordPool(ChangeType type, IPPool pool, long poolId, Codec.Stored stored, int[] marks, IPPool previous) {
        bodies.put(pool, stored);
        decoded.put(stored.value(), new Codec.StoredPool(pool, poolId, Codec.PoolLayout.of(stored, marks)));
        batch.put(Space.OBJECTS, key(pool), stored.value());
        changes.add(new Result.Change(type, pool, previous));
    }

    /**
     * Deletes an object; the DELETED change carries its last state with resourceVersion = this index,
     * spliced from the stored bytes when they are known to encode this very object: the decoded-value
     * cache holds it for them (it was read or written lately), so nothing is kept per read.
     */
    Resource delete(Resource resource) {
        byte[] key = key(resource);
        byte[] stored = batch.get(Space.OBJECTS, key);
        batch.delete(Space.OBJECTS, key);
        Resource last = withResourceVersion(resource, index);
        Codec.Stored body = stored != null && decoded.peek(stored) == resource
                ? Codec.withResourceVersion(stored, index) : null;
        if (body == null) {
            body = Codec.stored(last, 0);
        } else if (Decoded.VERIFY) {
            sameAsEncoded(body, Codec.stored(last, 0), last);
        }
        bodies.put(last, body);
        changes.add(new Result.Change(ChangeType.DELETED, last));
        return last;
    }

    /** Test runs ({@link Decoded#VERIFY}): a value spliced from stored bytes must be what encoding gives. */
    private static void sameAsEncoded(Codec.Stored spliced, Codec.Stored encoded, Resource resource) {
        if (!java.util.Arrays.equals(encoded.value(), spliced.value()) || encoded.bodyEnd() != spliced.bodyEnd()) {
            throw new IllegalStateException("spliced value of " + resource + " differs from its encoding");
        }
    }

    static Resource withResourceVersion(Resource resource, long version) {
        ObjectMeta meta = resource.metadata().withResourceVersion(version);
        if (resource instanceof Project p) {
            return new Project(meta, p.spec(), p.status());
        } else if (resource instanceof IPPool p) {
            return new IPPool(p.project(), meta, p.spec(), p.status());
        } else if (resource instanceof IPClaim c) {
            return new IPClaim(c.project(), meta, c.spec(), c.status());
        } else if (resource instanceof IPAllocation a) {
            return new IPAllocation(a.project(), meta, a.spec(), a.status());
        }
        throw new IllegalStateException("unknown resource " + resource);
    }

    // ------------------------------------------------------------------ identities and results

    /** The next value of the state's sequence (pool ids, uids): deterministic, never reused. */
    long nextSequence() {
        byte[] value = batch.get(Space.META, Keys.META_SEQUENCE);
        long next = value == null ? 1 : decodeLong(value) + 1;
        batch.put(Space.META, Keys.META_SEQUENCE, encodeLong(next));
        return next;
    }

    /**
     * A UUID-formatted uid: a bijective 64-bit mix of the state's sequence (unique, never reused)
     * and a mix of the index and key. Deterministic on every replica, no clock, no randomness.
     */
    String uid(byte[] key) {
        long sequence = nextSequence();
        long keyHash = index;
        for (byte b : key) {
            keyHash = keyHash * 31 + b;
        }
        long high = mix(sequence);
        long low = mix(keyHash ^ Long.rotateLeft(sequence, 32));
        high = (high & ~0xF000L) | 0x8000L; // version 8: custom (RFC 9562)
        low = (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // RFC 4122 variant
        char[] out = new char[36];
        int at = 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                out[at++] = '-';
            }
            long word = i < 16 ? high : low;
            int nibble = (int) ((word >>> (60 - 4 * (i % 16))) & 0xF);
            out[at++] = HEX[nibble];
        }
        return new String(out);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** SplitMix64's finaliser: a bijection on 64-bit values. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    ObjectMeta newMeta(byte[] key, String name, String namespace, java.util.SortedMap<String, String> labels,
                       java.util.SortedMap<String, String> annotations) {
        return new ObjectMeta(name, namespace, uid(key), index, 1, timestampMs, labels, annotations);
    }

    Condition condition(String type, ConditionStatus status, String reason, String message, long generation) {
        return new Condition(type, status, reason, message, timestampMs, generation);
    }

    /**
     * The condition list with {@code next} replacing the one of its type; the transition time moves only
     * when the status changes. A replacement that changes nothing returns {@code conditions} itself:
     * most claims and releases leave their pool's Ready condition as it was.
     */
    static List<Condition> setCondition(List<Condition> conditions, Condition next) {
        for (Condition c : conditions) {
            if (c.type().equals(next.type())) {
                if (c.status() == next.status() && c.observedGeneration() == next.observedGeneration()
                        && c.reason().equals(next.reason()) && c.message().equals(next.message())) {
                    return conditions;
                }
                break;
            }
        }
        List<Condition> out = new ArrayList<>(conditions.size() + 1);
        boolean replaced = false;
        for (Condition c : conditions) {
            if (c.type().equals(next.type())) {
                long time = c.status() == next.status() ? c.lastTransitionTimeMs() : next.lastTransitionTimeMs();
                out.add(new Condition(next.type(), next.status(), next.reason(), next.message(), time,
                        next.observedGeneration()));
                replaced = true;
            } else {
                out.add(c);
            }
        }
        if (!replaced) {
            out.add(next);
        }
        return out;
    }

    Result created(Resource resource) {
        return new Result(201, null, "", List.of(), resource, changes);
    }

    Result ok(Resource resource) {
        return new Result(200, null, "", List.of(), resource, changes);
    }

    static byte[] encodeLong(long value) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (value >>> (56 - 8 * i));
        }
        return out;
    }

    static long decodeLong(byte[] bytes) {
        if (bytes.length != 8) {
            throw new IllegalStateException("counter of " + bytes.length + " bytes");
        }
        long value = 0;
        for (byte b : bytes) {
            value = (value << 8) | (b & 0xFF);
        }
        return value;
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
