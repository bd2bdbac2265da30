package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Builds hand-made histories for checker tests: one call per event, in the order written. */
final class Histories {
    static final String POOL = "p1";
    static final Cidr POOL_CIDR = Cidr.parse("10.0.0.0/24");

    private final List<Op> ops = new ArrayList<>();
    private final Map<Integer, Op> open = new HashMap<>();

    static Histories withPool() {
        Histories h = new Histories();
        h.invoke(0, Op.CREATE_POOL, new OpValue.CreatePool(POOL, POOL_CIDR));
        h.complete(0, Op.Type.OK, new OpValue.CreatePool(POOL, POOL_CIDR));
        return h;
    }

    Histories invoke(int process, String f, OpValue value) {
        Op op = new Op(ops.size(), Op.Type.INVOKE, f, value, process, "n1", ops.size() * 1_000_000L, null);
        if (open.put(process, op) != null) {
            throw new IllegalStateException("process " + process + " already has an open op");
        }
        ops.add(op);
        return this;
    }

    Histories complete(int process, Op.Type type, OpValue value) {
        Op invoke = open.remove(process);
        ops.add(new Op(ops.size(), type, invoke.f(), value, process, invoke.node(), ops.size() * 1_000_000L,
                type == Op.Type.OK ? null : "timeout"));
        return this;
    }

    Histories claimInvoke(int process, String name, int len) {
        return invoke(process, Op.CLAIM, new OpValue.Claim(POOL, name, len, null));
    }

    Histories claimOk(int process, String name, int len, String cidr) {
        return complete(process, Op.Type.OK, new OpValue.Claim(POOL, name, len, Cidr.parse(cidr)));
    }

    Histories claimInfo(int process, String name, int len) {
        return complete(process, Op.Type.INFO, new OpValue.Claim(POOL, name, len, null));
    }

    Histories claim(int process, String name, int len, String cidr) {
        return claimInvoke(process, name, len).claimOk(process, name, len, cidr);
    }

    Histories releaseInvoke(int process, String name) {
        return invoke(process, Op.RELEASE, new OpValue.Release(POOL, name, null));
    }

    Histories releaseOk(int process, String name, boolean found) {
        return complete(process, Op.Type.OK, new OpValue.Release(POOL, name, found));
    }

    Histories releaseInfo(int process, String name) {
        return complete(process, Op.Type.INFO, new OpValue.Release(POOL, name, null));
    }

    Histories release(int process, String name) {
        return releaseInvoke(process, name).releaseOk(process, name, true);
    }

    Histories readInvoke(int process) {
        return invoke(process, Op.READ, new OpValue.Read(POOL, null));
    }

    Histories readOk(int process, String... nameCidrPairs) {
        return complete(process, Op.Type.OK, new OpValue.Read(POOL, claims(nameCidrPairs)));
    }

    Histories read(int process, String... nameCidrPairs) {
        return readInvoke(process).readOk(process, nameCidrPairs);
    }

    Histories finalRead(String... nameCidrPairs) {
        invoke(99, Op.FINAL_READ, new OpValue.Read(POOL, null));
        return complete(99, Op.Type.OK, new OpValue.Read(POOL, claims(nameCidrPairs)));
    }

    Histories localRead(String node, String... nameCidrPairs) {
        Op op = new Op(ops.size(), Op.Type.INVOKE, Op.LOCAL_READ, new OpValue.Read(POOL, null), 98, node,
                ops.size() * 1_000_000L, null);
        ops.add(op);
        ops.add(new Op(ops.size(), Op.Type.OK, Op.LOCAL_READ, new OpValue.Read(POOL, claims(nameCidrPairs)), 98, node,
                ops.size() * 1_000_000L, null));
        return this;
    }

    Histories nemesis(String f, String fault) {
        Op op = new Op(ops.size(), Op.Type.INVOKE, f, new OpValue.Fault(fault, List.of("n1"), "test"), Op.NEMESIS, null,
                ops.size() * 1_000_000L, null);
        ops.add(op);
        ops.add(new Op(ops.size(), Op.Type.INFO, f, op.value(), Op.NEMESIS, null, ops.size() * 1_000_000L, null));
        return this;
    }

    static SortedMap<String, Cidr> claims(String... nameCidrPairs) {
        SortedMap<String, Cidr> map = new TreeMap<>();
        for (int i = 0; i < nameCidrPairs.length; i += 2) {
            map.put(nameCidrPairs[i], Cidr.parse(nameCidrPairs[i + 1]));
        }
        return map;
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }

    Checker.Report check() {
        return new Checker(Checker.Settings.defaults()).check(ops());
    }
}
