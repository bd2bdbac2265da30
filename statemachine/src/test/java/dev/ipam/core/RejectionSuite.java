package dev.ipam.core;

import static dev.ipam.core.Harness.ACTOR;
import static dev.ipam.core.Harness.childPool;
import static dev.ipam.core.Harness.claim;
import static dev.ipam.core.Harness.claimCidr;
import static dev.ipam.core.Harness.claimSpec;
import static dev.ipam.core.Harness.labels;
import static dev.ipam.core.Harness.pool;
import static dev.ipam.core.Harness.project;
import static dev.ipam.core.Harness.retainClaim;
import static dev.ipam.core.Harness.selectorClaim;
import static dev.ipam.core.Harness.sharedPool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Result.Reason;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.SelectorOperator;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rejection rule as a table: the bad input, the HTTP code, the Kubernetes reason and the field
 * named in details.causes (null = none), and that the rejected command changed nothing.
 * Runs on any store: subclasses supply it.
 */
public abstract class RejectionSuite {
    protected abstract Store newStore();

    private Harness harness;

    /** The fixture every row starts from. */
    @BeforeEach
    void fixture() {
        harness = new Harness(newStore());
        harness.ok(project("p"));
        harness.ok(project("q"));
        harness.ok(project("tight", 1L, 256L));
        harness.ok(new Command.CreatePool(ACTOR, "p", "web", labels("tier", "web"), null,
                Harness.rootSpec("10.0.0.0/16", IPFamily.IPv4, Strategy.FirstFit)));
        harness.ok(pool("p", "v6", "2001:db8::/48"));
        harness.ok(new Command.CreatePool(ACTOR, "p", "bounded", null, null, new IPPool.Spec("10.1.0.0/16",
                IPFamily.IPv4, null, null, new IPPool.AllocationSettings(20, 28, null), null, null)));
        harness.ok(pool("p", "tiny", "192.168.0.0/30"));
        harness.ok(claim("p", "fills-tiny", IPFamily.IPv4, 30, "tiny"));
        harness.ok(claimCidr("p", "taken", "web", "10.0.5.0/24"));
        harness.ok(new Command.CreatePool(ACTOR, "q", "hidden", labels("tier", "secret"), null,
                Harness.rootSpec("10.2.0.0/16", IPFamily.IPv4, Strategy.FirstFit)));
        harness.ok(sharedPool("q", "shared", "10.3.0.0/16", "q"));
        harness.ok(pool("tight", "t", "10.4.0.0/16"));
        harness.ok(claim("tight", "one", IPFamily.IPv4, 32, "t"));
        harness.ok(childPool("p", "child", "web", 24));
        harness.ok(claim("p", "in-child", IPFamily.IPv4, 28, "child"));
        harness.ok(retainClaim("p", "kept", IPFamily.IPv4, 28, "web"));
        harness.ok(Harness.deleteClaim("p", "kept"));
    }

    record Row(String name, Function<Harness, Command> command, int code, Reason reason, String field,
               String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row row(String name, Command command, int code, Reason reason, String field) {
        return new Row(name, h -> command, code, reason, field, null);
    }

    static Row row(String name, Command command, int code, Reason reason, String field, String messagePart) {
        return new Row(name, h -> command, code, reason, field, messagePart);
    }

    static IPPool.Spec v4(String cidr) {
        return Harness.rootSpec(cidr, IPFamily.IPv4, Strategy.FirstFit);
    }

    static Command.CreatePool newPool(String name, IPPool.Spec spec) {
        return new Command.CreatePool(ACTOR, "p", name, null, null, spec);
    }

    static Stream<Arguments> rows() {
        List<Row> rows = new ArrayList<>();
        // pools
        rows.add(row("pool cidr malformed", newPool("x", v4("10.0.0/8x")), 422, Reason.Invalid, "spec.cidr"));
        rows.add(row("pool cidr without length", newPool("x", v4("10.0.0.0")), 422, Reason.Invalid, "spec.cidr"));
        rows.add(row("pool cidr length too long", newPool("x", v4("10.0.0.0/33")), 422, Reason.Invalid, "spec.cidr"));
        rows.add(row("pool cidr host bits set", newPool("x", v4("10.0.0.1/8")), 422, Reason.Invalid, "spec.cidr",
                "10.0.0.0/8"));
        rows.add(row("pool IPv6 cidr not canonical", newPool("x", Harness.rootSpec("2001:DB8:0::/32",
                IPFamily.IPv6, null)), 422, Reason.Invalid, "spec.cidr", "2001:db8::/32"));
        rows.add(row("pool /0", newPool("x", v4("0.0.0.0/0")), 422, Reason.Invalid, "spec.cidr", "/0"));
        rows.add(row("pool family mismatch", newPool("x", Harness.rootSpec("10.9.0.0/16", IPFamily.IPv6, null)),
                400, Reason.BadRequest, "spec.ipFamily"));
        rows.add(row("pool without cidr", newPool("x", v4(null)), 422, Reason.Invalid, "spec.cidr"));
        rows.add(row("pool without family", newPool("x", Harness.rootSpec("10.9.0.0/16", null, null)), 422,
                Reason.Invalid, "spec.ipFamily"));
        rows.add(row("pool min > max", newPool("x", new IPPool.Spec("10.9.0.0/16", IPFamily.IPv4, null, null,
                new IPPool.AllocationSettings(28, 20, null), null, null)), 422, Reason.Invalid,
                "spec.allocation.minPrefixLength"));
        rows.add(row("pool min below the pool", newPool("x", new IPPool.Spec("10.9.0.0/16", IPFamily.IPv4, null,
                null, new IPPool.AllocationSettings(8, null, null), null, null)), 422, Reason.Invalid,
                "spec.allocation.minPrefixLength"));
        rows.add(row("pool max past 32", newPool("x", new IPPool.Spec("10.9.0.0/16", IPFamily.IPv4, null,
                null, new IPPool.AllocationSettings(null, 33, null), null, null)), 422, Reason.Invalid,
                "spec.allocation.maxPrefixLength"));
        rows.add(row("pool duplicate name", pool("p", "web", "10.9.0.0/16"), 409, Reason.AlreadyExists, null));
        rows.add(row("pool in unknown project", pool("nope", "x", "10.9.0.0/16"), 404, Reason.NotFound, null));
        rows.add(row("pool bad name", pool("p", "Web_Tier", "10.9.0.0/16"), 422, Reason.Invalid, "metadata.name"));
        rows.add(row("pool bad label", new Command.CreatePool(ACTOR, "p", "x", labels("bad key", "v"), null,
                v4("10.9.0.0/16")), 422, Reason.Invalid, "metadata.labels"));
        rows.add(row("pool bad allowed project", newPool("x", new IPPool.Spec("10.9.0.0/16", IPFamily.IPv4, null,
                null, null, null, List.of("Not A Project"))), 422, Reason.Invalid, "spec.allowedProjects"));
        rows.add(row("child of unknown parent", childPool("p", "x", "nope", 24), 400, Reason.BadRequest,
                "spec.parentPoolRef.name"));
        rows.add(row("child larger than parent", childPool("p", "x", "web", 8), 422, Reason.Invalid,
                "spec.prefixLength"));
        rows.add(row("child without prefixLength", new Command.CreatePool(ACTOR, "p", "x", null, null,
                new IPPool.Spec(null, null, new Refs.LocalRef("web"), null, null, null, null)), 422, Reason.Invalid,
                "spec.prefixLength"));
        rows.add(row("child of exhausted parent", childPool("p", "x", "tiny", 31), 507, Reason.InsufficientStorage,
                null, "pool=tiny prefixLength=31 largestFreePrefix=0"));
        rows.add(row("child family mismatch", new Command.CreatePool(ACTOR, "p", "x", null, null,
                new IPPool.Spec(null, IPFamily.IPv6, new Refs.LocalRef("web"), 24, null, null, null)), 400,
                Reason.BadRequest, "spec.ipFamily"));
        // claims: syntax
        rows.add(row("claim cidr malformed", claimCidr("p", "x", "web", "10.0.300.0/24"), 422, Reason.Invalid,
                "spec.cidr"));
        rows.add(row("claim cidr host bits set", claimCidr("p", "x", "web", "10.0.6.1/24"), 422, Reason.Invalid,
                "spec.cidr", "10.0.6.0/24"));
        rows.add(row("claim cidr is a range", claimCidr("p", "x", "web", "10.0.6.0-9/32"), 422, Reason.Invalid,
                "spec.cidr"));
        rows.add(row("claim cidr family mismatch", claim("p", "x", new IPClaim.Spec(IPFamily.IPv6, null,
                new Refs.PoolRef("web", null), null, "10.0.6.0/24", null, null)), 400, Reason.BadRequest, "spec.cidr"));
        rows.add(row("claim cidr length differs", claim("p", "x", new IPClaim.Spec(IPFamily.IPv4, 25,
                new Refs.PoolRef("web", null), null, "10.0.6.0/24", null, null)), 422, Reason.Invalid,
                "spec.prefixLength"));
        rows.add(row("claim prefixLength 0", claim("p", "x", IPFamily.IPv4, 0, "web"), 422, Reason.Invalid,
                "spec.prefixLength"));
        rows.add(row("claim prefixLength 33 for IPv4", claim("p", "x", IPFamily.IPv4, 33, "web"), 422,
                Reason.Invalid, "spec.prefixLength"));
        rows.add(row("claim prefixLength 129 for IPv6", claim("p", "x", IPFamily.IPv6, 129, "v6"), 422,
                Reason.Invalid, "spec.prefixLength"));
        rows.add(row("claim without prefixLength", claim("p", "x", new IPClaim.Spec(IPFamily.IPv4, null,
                new Refs.PoolRef("web", null), null, null, null, null)), 422, Reason.Invalid, "spec.prefixLength"));
        rows.add(row("claim without family", claim("p", "x", new IPClaim.Spec(null, 24,
                new Refs.PoolRef("web", null), null, null, null, null)), 422, Reason.Invalid, "spec.ipFamily"));
        rows.add(row("claim with poolRef and poolSelector", claim("p", "x", new IPClaim.Spec(IPFamily.IPv4, 24,
                new Refs.PoolRef("web", null), new PoolSelector(labels("tier", "web"), null, null), null, null, null)),
                422, Reason.Invalid, "spec.poolSelector"));
        rows.add(row("claim with neither poolRef nor poolSelector", claim("p", "x", new IPClaim.Spec(IPFamily.IPv4,
                24, null, null, null, null, null)), 422, Reason.Invalid, "spec.poolRef"));
        rows.add(row("claim selector In without values", selectorClaim("p", "x", IPFamily.IPv4, 24, Map.of(),
                List.of(new PoolSelector.Requirement("tier", SelectorOperator.In, List.of())), null), 422,
                Reason.Invalid, "spec.poolSelector.matchExpressions[0].values"));
        rows.add(row("claim selector Exists with values", selectorClaim("p", "x", IPFamily.IPv4, 24, Map.of(),
                List.of(new PoolSelector.Requirement("tier", SelectorOperator.Exists, List.of("a"))), null), 422,
                Reason.Invalid, "spec.poolSelector.matchExpressions[0].values"));
        rows.add(row("claim bad name", claim("p", "-x", IPFamily.IPv4, 24, "web"), 422, Reason.Invalid,
                "metadata.name"));
        rows.add(row("claim bad namespace", new Command.CreateClaim(ACTOR, "p", "Default", "x", null, null,
                claimSpec(IPFamily.IPv4, 24, "web")), 422, Reason.Invalid, "metadata.namespace"));
        // claims: state
        rows.add(row("claim in unknown project", claim("nope", "x", IPFamily.IPv4, 24, "web"), 404, Reason.NotFound,
                null));
        rows.add(row("claim duplicate name", claim("p", "taken", IPFamily.IPv4, 24, "web"), 409,
                Reason.AlreadyExists, null));
        rows.add(row("claim over a retained allocation", claim("p", "kept", IPFamily.IPv4, 24, "web"), 409,
                Reason.Conflict, null, "retained"));
        rows.add(row("claim unknown pool", claim("p", "x", IPFamily.IPv4, 24, "nope"), 400, Reason.BadRequest,
                "spec.poolRef.name"));
        rows.add(row("claim family mismatch with the pool", claim("p", "x", IPFamily.IPv6, 64, "web"), 400,
                Reason.BadRequest, "spec.ipFamily"));
        rows.add(row("claim larger than the pool", claim("p", "x", IPFamily.IPv4, 8, "web"), 422, Reason.Invalid,
                "spec.prefixLength"));
        rows.add(row("claim under minPrefixLength", claim("p", "x", IPFamily.IPv4, 19, "bounded"), 422,
                Reason.Invalid, "spec.prefixLength", "minPrefixLength=20"));
        rows.add(row("claim over maxPrefixLength", claim("p", "x", IPFamily.IPv4, 29, "bounded"), 422,
                Reason.Invalid, "spec.prefixLength", "maxPrefixLength=28"));
        rows.add(row("claim from an exhausted pool", claim("p", "x", IPFamily.IPv4, 32, "tiny"), 507,
                Reason.InsufficientStorage, null, "pool=tiny prefixLength=32 largestFreePrefix=0"));
        rows.add(row("claim specific cidr taken", claimCidr("p", "x", "web", "10.0.5.128/25"), 409, Reason.Conflict,
                "spec.cidr"));
        rows.add(row("claim specific cidr inside a child pool", claimCidr("p", "x", "web", "10.0.0.0/28"), 409,
                Reason.Conflict, "spec.cidr"));
        rows.add(row("claim specific cidr outside the pool", claimCidr("p", "x", "web", "10.9.0.0/24"), 422,
                Reason.Invalid, "spec.cidr"));
        rows.add(row("claim over the claims quota", claim("tight", "x", IPFamily.IPv4, 32, "t"), 429,
                Reason.TooManyRequests, "spec.quota.claims", "quota=claims limit=1 used=1"));
        rows.add(row("claim from another project's private pool", claim("p", "x", new IPClaim.Spec(IPFamily.IPv4, 24,
                new Refs.PoolRef("hidden", new Refs.ProjectRef("q")), null, null, null, null)), 400, Reason.BadRequest,
                "spec.poolRef.name"));
        rows.add(row("claim from a shared pool not shared with it", claim("p", "x", new IPClaim.Spec(IPFamily.IPv4,
                24, new Refs.PoolRef("shared", new Refs.ProjectRef("q")), null, null, null, null)), 400,
                Reason.BadRequest, "spec.poolRef.name"));
        rows.add(row("claim selector matches nothing", selectorClaim("p", "x", IPFamily.IPv4, 24,
                Map.of("tier", "nope"), List.of(), null), 400, Reason.BadRequest, "spec.poolSelector"));
        rows.add(row("claim selector with the wrong family", selectorClaim("p", "x", IPFamily.IPv6, 64,
                Map.of("tier", "web"), List.of(), null), 400, Reason.BadRequest, "spec.poolSelector"));
        // updates and deletes
        rows.add(row("update claim stale resourceVersion", new Command.UpdateClaim(ACTOR, "p", "default", "taken", 1,
                labels("a", "b"), null, null), 409, Reason.Conflict, null, "resourceVersion"));
        rows.add(row("update claim prefixLength", new Command.UpdateClaim(ACTOR, "p", "default", "taken", 0, null,
                null, new IPClaim.Spec(IPFamily.IPv4, 25, new Refs.PoolRef("web", null), null, "10.0.5.0/24", null,
                null)), 422, Reason.Invalid, "spec.prefixLength"));
        rows.add(row("update claim reclaimPolicy", new Command.UpdateClaim(ACTOR, "p", "default", "taken", 0, null,
                null, new IPClaim.Spec(IPFamily.IPv4, 24, new Refs.PoolRef("web", null), null, "10.0.5.0/24", null,
                dev.ipam.core.model.ReclaimPolicy.Retain)), 422, Reason.Invalid, "spec.reclaimPolicy"));
        rows.add(row("update pool strategy", new Command.UpdatePool(ACTOR, "p", "web", 0, labels("tier", "web"),
                null, Harness.rootSpec("10.0.0.0/16", IPFamily.IPv4, Strategy.BestFit)), 422, Reason.Invalid,
                "spec.allocation"));
        rows.add(row("update pool cidr", new Command.UpdatePool(ACTOR, "p", "web", 0, null, null,
                Harness.rootSpec("10.0.0.0/15", IPFamily.IPv4, null)), 422, Reason.Invalid, "spec.cidr"));
        rows.add(row("update pool stale resourceVersion", new Command.UpdatePool(ACTOR, "p", "web", 2, null, null,
                null), 409, Reason.Conflict, null));
        rows.add(row("update unknown pool", new Command.UpdatePool(ACTOR, "p", "nope", 0, null, null, null), 404,
                Reason.NotFound, null));
        rows.add(row("update project stale resourceVersion", new Command.UpdateProject(ACTOR, "p", 2, null, null,
                null), 409, Reason.Conflict, null));
        rows.add(row("project negative quota", new Command.UpdateProject(ACTOR, "p", 0, null, null,
                new dev.ipam.core.model.Project.ProjectSpec(new dev.ipam.core.model.Project.Quota(-1L, null))), 422,
                Reason.Invalid, "spec.quota.claims"));
        rows.add(row("duplicate project", project("p"), 409, Reason.AlreadyExists, null));
        rows.add(row("delete pool with allocations", Harness.deletePool("p", "tiny"), 409, Reason.Conflict, null,
                "allocations=1"));
        rows.add(row("delete pool with a child pool", Harness.deletePool("p", "web"), 409, Reason.Conflict, null,
                "childPools=1"));
        rows.add(row("delete unknown pool", Harness.deletePool("p", "nope"), 404, Reason.NotFound, null));
        rows.add(row("delete unknown claim", Harness.deleteClaim("p", "nope"), 404, Reason.NotFound, null));
        rows.add(row("delete claim stale resourceVersion", new Command.DeleteClaim(ACTOR, "p", "default", "taken", 3),
                409, Reason.Conflict, null));
        rows.add(row("delete a bound allocation", new Command.DeleteAllocation(ACTOR, "p", "default",
                dev.ipam.core.model.IPAllocation.nameFor("default", "taken"), 0), 409, Reason.Conflict, null,
                "bound to IPClaim taken"));
        rows.add(row("delete project in use", new Command.DeleteProject(ACTOR, "p", 0), 409, Reason.Conflict, null));
        rows.add(row("delete unknown project", new Command.DeleteProject(ACTOR, "nope", 0), 404, Reason.NotFound,
                null));
        return rows.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void rejects(Row row) {
        byte[] before = harness.export();
        Result result = harness.run(row.command().apply(harness));
        String context = row.name() + ": " + result.code() + " " + result.reason() + " " + result.message();
        assertEquals(row.code(), result.code(), context);
        assertEquals(row.reason(), result.reason(), context);
        if (row.field() == null) {
            assertTrue(result.causes().isEmpty(), context + " causes=" + result.causes());
        } else {
            assertEquals(1, result.causes().size(), context);
            assertEquals(row.field(), result.causes().get(0).field(), context);
        }
        if (row.messagePart() != null) {
            assertTrue(result.message().contains(row.messagePart()), context + " lacks " + row.messagePart());
        }
        assertTrue(result.changes().isEmpty(), context);
        assertEquals(null, result.object(), context);
        assertArrayEquals(before, harness.export(), row.name() + ": a rejected command changed the state");
    }
}
