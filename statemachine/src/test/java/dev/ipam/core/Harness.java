package dev.ipam.core;

import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.model.Visibility;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Export;
import dev.ipam.core.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Drives the core the way the Ratis layer does: each command is encoded, applied through
 * {@link Ipam#apply} in its own batch at the next log index, and its result decoded.
 */
public final class Harness {
    public static final String ACTOR = "test";
    public final Store store;
    public final Ipam ipam = new Ipam();
    private long index;
    private long timestampMs = 1_800_000_000_000L;

    public Harness(Store store) {
        this.store = store;
    }

    public long index() {
        return index;
    }

    public Result run(Command command) {
        index++;
        timestampMs += 1000;
        byte[] result;
        try (Batch batch = store.batch()) {
            result = ipam.apply(batch, index, timestampMs, Codec.encodeCommand(command));
            batch.commit();
        }
        return Codec.decodeResult(result);
    }

    /** Runs a command that must succeed. */
    public Result ok(Command command) {
        Result result = run(command);
        if (!result.ok()) {
            throw new AssertionError("expected success of " + command + " but got " + result.code() + " "
                    + result.reason() + ": " + result.message());
        }
        return result;
    }

    public byte[] export() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Export.write(store, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ command builders

    public static SortedMap<String, String> labels(String... keyValues) {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    public static Command.CreateProject project(String name) {
        return new Command.CreateProject(ACTOR, name, null, null, null);
    }

    public static Command.CreateProject project(String name, Long claims, Long ipv4Addresses) {
        return new Command.CreateProject(ACTOR, name, null, null,
                new Project.ProjectSpec(new Project.Quota(claims, ipv4Addresses)));
    }

    public static IPPool.Spec rootSpec(String cidr, IPFamily family, Strategy strategy) {
        return new IPPool.Spec(cidr, family, null, null, new IPPool.AllocationSettings(null, null, strategy), null,
                null);
    }

    public static Command.CreatePool pool(String project, String name, String cidr) {
        return pool(project, name, cidr, Strategy.FirstFit);
    }

    public static Command.CreatePool pool(String project, String name, String cidr, Strategy strategy) {
        IPFamily family = cidr.contains(":") ? IPFamily.IPv6 : IPFamily.IPv4;
        return new Command.CreatePool(ACTOR, project, name, null, null, rootSpec(cidr, family, strategy));
    }

    public static Command.CreatePool pool(String project, String name, IPPool.Spec spec,
                                          SortedMap<String, String> labels) {
        return new Command.CreatePool(ACTOR, project, name, labels, null, spec);
    }

    public static Command.CreatePool sharedPool(String project, String name, String cidr, String... allowed) {
        IPFamily family = cidr.contains(":") ? IPFamily.IPv6 : IPFamily.IPv4;
        return new Command.CreatePool(ACTOR, project, name, null, null, new IPPool.Spec(cidr, family, null, null,
                null, Visibility.shared, List.of(allowed)));
    }

    public static Command.CreatePool childPool(String project, String name, String parent, int prefixLength) {
        return new Command.CreatePool(ACTOR, project, name, null, null, new IPPool.Spec(null, null,
                new Refs.LocalRef(parent), prefixLength, null, null, null));
    }

    public static IPClaim.Spec claimSpec(IPFamily family, int length, String pool) {
        return new IPClaim.Spec(family, length, new Refs.PoolRef(pool, null), null, null, null, null);
    }

    public static Command.CreateClaim claim(String project, String name, IPFamily family, int length, String pool) {
        return new Command.CreateClaim(ACTOR, project, "default", name, null, null, claimSpec(family, length, pool));
    }

    public static Command.CreateClaim claim(String project, String name, IPClaim.Spec spec) {
        return new Command.CreateClaim(ACTOR, project, "default", name, null, null, spec);
    }

    public static Command.CreateClaim claimCidr(String project, String name, String pool, String cidr) {
        IPFamily family = cidr.contains(":") ? IPFamily.IPv6 : IPFamily.IPv4;
        return claim(project, name, new IPClaim.Spec(family, null, new Refs.PoolRef(pool, null), null, cidr, null,
                null));
    }

    public static Command.CreateClaim retainClaim(String project, String name, IPFamily family, int length,
                                                  String pool) {
        return claim(project, name, new IPClaim.Spec(family, length, new Refs.PoolRef(pool, null), null, null, null,
                ReclaimPolicy.Retain));
    }

    public static Command.CreateClaim selectorClaim(String project, String name, IPFamily family, int length,
                                                    Map<String, String> matchLabels,
                                                    List<PoolSelector.Requirement> expressions, String poolProject) {
        PoolSelector selector = new PoolSelector(new TreeMap<>(matchLabels), expressions,
                poolProject == null ? null : new Refs.ProjectRef(poolProject));
        return claim(project, name, new IPClaim.Spec(family, length, null, selector, null, null, null));
    }

    public static Command.DeleteClaim deleteClaim(String project, String name) {
        return new Command.DeleteClaim(ACTOR, project, "default", name, 0);
    }

    public static Command.DeletePool deletePool(String project, String name) {
        return new Command.DeletePool(ACTOR, project, name, 0);
    }
}
