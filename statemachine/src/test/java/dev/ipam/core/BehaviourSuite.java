package dev.ipam.core;

import static dev.ipam.core.Harness.ACTOR;
import static dev.ipam.core.Harness.childPool;
import static dev.ipam.core.Harness.claim;
import static dev.ipam.core.Harness.claimCidr;
import static dev.ipam.core.Harness.deleteClaim;
import static dev.ipam.core.Harness.deletePool;
import static dev.ipam.core.Harness.labels;
import static dev.ipam.core.Harness.pool;
import static dev.ipam.core.Harness.project;
import static dev.ipam.core.Harness.retainClaim;
import static dev.ipam.core.Harness.selectorClaim;
import static dev.ipam.core.Harness.sharedPool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.ClaimPhase;
import dev.ipam.core.model.Condition;
import dev.ipam.core.model.ConditionStatus;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.PoolPhase;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.Resource;
import dev.ipam.core.model.SelectorOperator;
import dev.ipam.core.model.Strategy;
import dev.ipam.core.model.Visibility;
import dev.ipam.core.store.Overlay;
import dev.ipam.core.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The allocation rules and lifecycle of API.md, on any store (subclasses supply it). */
public abstract class BehaviourSuite {
    protected abstract Store newStore();

    private Harness h;

    @BeforeEach
    void fixture() {
        h = new Harness(newStore());
        h.ok(project("p"));
        h.ok(project("q"));
    }

    private String cidrOf(Result result) {
        return ((IPClaim) result.object()).status().allocatedCIDR();
    }

    private String take(String name, int length, String pool) {
        return cidrOf(h.ok(claim("p", name, IPFamily.IPv4, length, pool)));
    }

    private IPPool stored(String project, String name) {
        return Reads.pool(h.store, project, name);
    }

    @Test
    void claimIsBoundAtCreateWithItsAllocationAndCounters() {
        h.ok(pool("p", "web", "10.0.0.0/16"));
        Result result = h.ok(claim("p", "a", IPFamily.IPv4, 24, "web"));
        long index = h.index();
        assertEquals(201, result.code());
        IPClaim claim = (IPClaim) result.object();
        assertEquals(ClaimPhase.Bound, claim.status().phase());
        assertEquals("10.0.0.0/24", claim.status().allocatedCIDR());
        String allocationName = IPAllocation.nameFor("default", "a");
        assertEquals(allocationName, claim.status().boundAllocationRef().name());
        assertTrue(allocationName.matches("alloc-[0-9a-f]{16}"), allocationName);
        assertEquals(index, claim.metadata().resourceVersion());
        assertEquals(ConditionStatus.True, claim.status().conditions().get(0).status());

        List<ChangeType> types = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        for (Result.Change change : result.changes()) {
            types.add(change.type());
            kinds.add(change.object().kind());
            assertEquals(index, change.object().metadata().resourceVersion());
        }
        assertEquals(List.of(ChangeType.ADDED, ChangeType.ADDED, ChangeType.MODIFIED, ChangeType.MODIFIED), types);
        assertEquals(List.of(Kind.CLAIM, Kind.ALLOCATION, Kind.POOL, Kind.PROJECT), kinds);

        IPAllocation allocation = Reads.allocation(h.store, "p", "default", allocationName);
        assertEquals("10.0.0.0/24", allocation.status().allocatedCIDR());
        assertEquals("a", allocation.status().claimRef().name());
        assertEquals(new Refs.PoolRef("web", null), allocation.spec().poolRef());
        IPPool web = stored("p", "web");
        assertEquals(new IPPool.Capacity(65536, 256, 65280), web.status().capacity());
        assertEquals(17, web.status().largestFreePrefix());
        assertEquals(0, web.status().utilizationPercent());
        Project p = Reads.project(h.store, "p");
        assertEquals(new Project.Usage(1, 256, 1), p.status().usage());
        assertEquals(claim, Reads.claim(h.store, "p", "default", "a"));
    }

    @Test
    void ipv6HostBlocksAndSlash128PoolsRoundTripThroughThePoolHeader() {
        // Prefix lengths above 127 do not fit a signed byte: the pool header once decoded /128 as -128.
        h.ok(pool("p", "v6", Harness.rootSpec("2001:db8::/120", IPFamily.IPv6, null), labels()));
        assertEquals("2001:db8::/128", cidrOf(h.ok(claim("p", "a", IPFamily.IPv6, 128, "v6"))));
        assertEquals("2001:db8::1/128", cidrOf(h.ok(claim("p", "b", IPFamily.IPv6, 128, "v6"))));
        h.ok(deleteClaim("p", "a"));
        assertEquals("2001:db8::/128", cidrOf(h.ok(claim("p", "c", IPFamily.IPv6, 128, "v6"))));
        h.ok(pool("p", "host", Harness.rootSpec("2001:db8:1::7/128", IPFamily.IPv6, null), labels()));
        assertEquals("2001:db8:1::7/128", cidrOf(h.ok(claim("p", "d", IPFamily.IPv6, 128, "host"))));
        assertEquals(507, h.run(claim("p", "e", IPFamily.IPv6, 128, "host")).code());
    }

    @Test
    void firstFitTakesTheLowestAlignedBlock() {
        h.ok(pool("p", "web", "10.0.0.0/22"));
        assertEquals("10.0.0.0/25", take("a", 25, "web"));
        assertEquals("10.0.1.0/24", take("b", 24, "web"));
        assertEquals("10.0.0.128/26", take("c", 26, "web"));
        assertEquals("10.0.2.0/23", take("d", 23, "web"));
        h.ok(deleteClaim("p", "b"));
        assertEquals("10.0.0.192/26", take("e", 26, "web"));
        assertEquals("10.0.1.0/25", take("f", 25, "web"));
    }

    @Test
    void bestFitTakesFromTheSmallestFreeRegionThatFits() {
        h.ok(pool("p", "web", "10.0.0.0/22", Strategy.BestFit));
        // Leave free: 10.0.0.0/24 region split so that a /26 hole exists high up.
        h.ok(claimCidr("p", "x1", "web", "10.0.3.0/26"));
        h.ok(claimCidr("p", "x2", "web", "10.0.3.128/25"));
        // Free now: 10.0.0.0/23, 10.0.2.0/24, 10.0.3.64/26. A /26 must come from the /26 hole.
        assertEquals("10.0.3.64/26", take("a", 26, "web"));
        // A /25 comes from the smallest region that fits: the /24.
        assertEquals("10.0.2.0/25", take("b", 25, "web"));
        assertEquals("10.0.2.128/25", take("c", 25, "web"));
        assertEquals("10.0.0.0/24", take("d", 24, "web"));
    }

    @Test
    void leastUtilizedSpreadsAcrossTheHalvesWithMoreFreeSpace() {
        h.ok(pool("p", "web", "10.0.0.0/22", Strategy.LeastUtilized));
        assertEquals("10.0.0.0/24", take("a", 24, "web"));
        assertEquals("10.0.2.0/24", take("b", 24, "web"));
        assertEquals("10.0.1.0/24", take("c", 24, "web"));
        assertEquals("10.0.3.0/24", take("d", 24, "web"));
        h.ok(deleteClaim("p", "c"));
        h.ok(deleteClaim("p", "a"));
        // Lower half fully free again (512 free) against the upper's 0.
        assertEquals("10.0.0.0/25", take("e", 25, "web"));
        assertEquals("10.0.1.0/25", take("f", 25, "web"));
    }

    @Test
    void deleteReturnsTheBlockAndBuddiesMerge() {
        h.ok(pool("p", "web", "10.0.0.0/16"));
        for (int i = 0; i < 10; i++) {
            take("c" + i, 20 + i, "web");
        }
        for (int i = 0; i < 10; i++) {
            h.ok(deleteClaim("p", "c" + i));
        }
        IPPool web = stored("p", "web");
        assertEquals(16, web.status().largestFreePrefix());
        assertEquals(new IPPool.Capacity(65536, 0, 65536), web.status().capacity());
        assertEquals(new Project.Usage(0, 0, 1), Reads.project(h.store, "p").status().usage());
        assertEquals(0, Reads.list(h.store, Kind.ALLOCATION, "p", null, 0, null).items().size());
    }

    @Test
    void exhaustedPoolAnswers507AndRecovers() {
        h.ok(pool("p", "tiny", "10.0.0.0/30"));
        Condition created = ready(stored("p", "tiny"));
        assertEquals("True Allocatable largest free block is /30", text(created));
        take("a", 31, "tiny");
        Condition half = ready(stored("p", "tiny"));
        assertEquals("True Allocatable largest free block is /31", text(half));
        assertEquals(created.lastTransitionTimeMs(), half.lastTransitionTimeMs(), "same status: time kept");
        take("b", 31, "tiny");
        IPPool tiny = stored("p", "tiny");
        assertEquals(PoolPhase.Exhausted, tiny.status().phase());
        assertEquals(0, tiny.status().largestFreePrefix());
        assertEquals(100, tiny.status().utilizationPercent());
        Condition exhausted = ready(tiny);
        assertEquals("False Exhausted no free block left in 10.0.0.0/30", text(exhausted));
        assertTrue(exhausted.lastTransitionTimeMs() > half.lastTransitionTimeMs(), "status changed: time moved");
        Result rejected = h.run(claim("p", "c", IPFamily.IPv4, 32, "tiny"));
        assertEquals(507, rejected.code());
        assertNull(Reads.claim(h.store, "p", "default", "c"));
        h.ok(deleteClaim("p", "a"));
        assertEquals(PoolPhase.Ready, stored("p", "tiny").status().phase());
        Condition recovered = ready(stored("p", "tiny"));
        assertEquals("True Allocatable largest free block is /31", text(recovered));
        assertTrue(recovered.lastTransitionTimeMs() > exhausted.lastTransitionTimeMs());
        assertEquals("10.0.0.0/32", take("c", 32, "tiny"));
        assertEquals("True Allocatable largest free block is /32", text(ready(stored("p", "tiny"))));
        assertEquals(1, stored("p", "tiny").status().conditions().stream().filter(c -> c.type().equals("Ready")).count(),
                "one Ready condition, replaced");
    }

    private static Condition ready(IPPool pool) {
        return pool.status().conditions().stream().filter(c -> c.type().equals("Ready")).findFirst().orElseThrow();
    }

    private static String text(Condition c) {
        return c.status() + " " + c.reason() + " " + c.message();
    }

    @Test
    void retainKeepsTheAllocationUntilItIsDeleted() {
        h.ok(pool("p", "web", "10.0.0.0/24"));
        String cidr = cidrOf(h.ok(retainClaim("p", "keep", IPFamily.IPv4, 26, "web")));
        Result deleted = h.ok(deleteClaim("p", "keep"));
        assertEquals(List.of(ChangeType.DELETED, ChangeType.MODIFIED, ChangeType.MODIFIED),
                deleted.changes().stream().map(Result.Change::type).toList());
        String allocationName = IPAllocation.nameFor("default", "keep");
        IPAllocation retained = Reads.allocation(h.store, "p", "default", allocationName);
        assertNull(retained.status().claimRef());
        assertEquals(cidr, retained.status().allocatedCIDR());
        assertEquals(64, stored("p", "web").status().capacity().allocated());
        assertEquals(409, h.run(retainClaim("p", "keep", IPFamily.IPv4, 26, "web")).code());
        assertEquals(409, h.run(deletePool("p", "web")).code());
        Result freed = h.ok(new Command.DeleteAllocation(ACTOR, "p", "default", allocationName, 0));
        assertEquals(List.of(ChangeType.DELETED, ChangeType.MODIFIED),
                freed.changes().stream().map(Result.Change::type).toList());
        assertEquals(0, stored("p", "web").status().capacity().allocated());
        assertEquals(cidr, take("keep", 26, "web"));
    }

    @Test
    void childPoolsCarveFromTheirParentAtAnyDepth() {
        h.ok(pool("p", "root", "10.0.0.0/16"));
        Result child = h.ok(childPool("p", "child", "root", 20));
        IPPool childPool = (IPPool) child.object();
        assertEquals("10.0.0.0/20", childPool.status().allocatedCIDR());
        assertEquals(IPFamily.IPv4, childPool.spec().ipFamily());
        assertEquals(4096, stored("p", "root").status().capacity().allocated());
        h.ok(childPool("p", "grandchild", "child", 24));
        assertEquals("10.0.0.0/24", stored("p", "grandchild").status().allocatedCIDR());
        assertEquals("10.0.0.0/28", take("c", 28, "grandchild"));
        assertEquals("10.0.1.0/24", take("d", 24, "child"));
        assertEquals("10.0.16.0/20", take("e", 20, "root"));
        assertEquals(409, h.run(deletePool("p", "child")).code());
        assertEquals(409, h.run(deletePool("p", "grandchild")).code());
        h.ok(deleteClaim("p", "c"));
        h.ok(deletePool("p", "grandchild"));
        h.ok(deleteClaim("p", "d"));
        Result gone = h.ok(deletePool("p", "child"));
        assertEquals(List.of(ChangeType.DELETED, ChangeType.MODIFIED, ChangeType.MODIFIED),
                gone.changes().stream().map(Result.Change::type).toList());
        IPPool root = stored("p", "root");
        assertEquals(4096, root.status().capacity().allocated());
        h.ok(deleteClaim("p", "e"));
        assertEquals(16, stored("p", "root").status().largestFreePrefix());
        h.ok(deletePool("p", "root"));
        assertEquals(new Project.Usage(0, 0, 0), Reads.project(h.store, "p").status().usage());
    }

    @Test
    void specificCidrClaimsAndChildPools() {
        h.ok(pool("p", "web", "10.0.0.0/16"));
        assertEquals("10.0.77.0/24", cidrOf(h.ok(claimCidr("p", "a", "web", "10.0.77.0/24"))));
        Result child = h.ok(new Command.CreatePool(ACTOR, "p", "child", null, null, new IPPool.Spec("10.0.128.0/17",
                null, new Refs.LocalRef("web"), null, null, null, null)));
        assertEquals("10.0.128.0/17", ((IPPool) child.object()).status().allocatedCIDR());
        assertEquals(409, h.run(claimCidr("p", "b", "web", "10.0.77.128/25")).code());
        assertEquals(409, h.run(claimCidr("p", "b", "web", "10.0.0.0/16")).code());
        assertEquals("10.0.0.0/18", take("c", 18, "web"));
        assertEquals("10.0.80.0/20", take("d", 20, "web"));
    }

    @Test
    void selectorPicksTheFirstMatchingPoolByName() {
        h.ok(pool("p", "a-v6", Harness.rootSpec("2001:db8::/48", IPFamily.IPv6, null), labels("tier", "web")));
        h.ok(pool("p", "b-web", Harness.rootSpec("10.1.0.0/16", IPFamily.IPv4, null), labels("tier", "web",
                "zone", "a")));
        h.ok(pool("p", "c-web", Harness.rootSpec("10.2.0.0/16", IPFamily.IPv4, null), labels("tier", "web",
                "zone", "b", "gold", "")));
        h.ok(pool("p", "d-db", Harness.rootSpec("10.3.0.0/16", IPFamily.IPv4, null), labels("tier", "db")));
        assertEquals("10.1.0.0/24", cidrOf(h.ok(selectorClaim("p", "s1", IPFamily.IPv4, 24, Map.of("tier", "web"),
                List.of(), null))));
        assertEquals("2001:db8::/64", cidrOf(h.ok(selectorClaim("p", "s2", IPFamily.IPv6, 64, Map.of("tier", "web"),
                List.of(), null))));
        assertEquals("10.2.0.0/24", cidrOf(h.ok(selectorClaim("p", "s3", IPFamily.IPv4, 24, Map.of(), List.of(
                new PoolSelector.Requirement("zone", SelectorOperator.In, List.of("b", "c"))), null))));
        assertEquals("10.3.0.0/24", cidrOf(h.ok(selectorClaim("p", "s4", IPFamily.IPv4, 24, Map.of(), List.of(
                new PoolSelector.Requirement("zone", SelectorOperator.DoesNotExist, List.of())), null))));
        assertEquals("10.2.1.0/24", cidrOf(h.ok(selectorClaim("p", "s5", IPFamily.IPv4, 24, Map.of(), List.of(
                new PoolSelector.Requirement("gold", SelectorOperator.Exists, List.of())), null))));
        assertEquals("10.3.1.0/24", cidrOf(h.ok(selectorClaim("p", "s6", IPFamily.IPv4, 24, Map.of(), List.of(
                new PoolSelector.Requirement("tier", SelectorOperator.NotIn, List.of("web"))), null))));
        IPClaim s1 = Reads.claim(h.store, "p", "default", "s1");
        assertEquals(new Refs.PoolRef("b-web", null), s1.status().poolRef());
    }

    @Test
    void sharedPoolsServeOnlyTheProjectsTheyAllow() {
        h.ok(project("r"));
        h.ok(sharedPool("q", "shared", "10.8.0.0/16", "p"));
        h.ok(new Command.CreatePool(ACTOR, "q", "everyone", labels("open", "yes"), null, new IPPool.Spec(
                "10.9.0.0/16", IPFamily.IPv4, null, null, null, Visibility.shared, List.of("*"))));
        IPClaim.Spec viaRef = new IPClaim.Spec(IPFamily.IPv4, 24, new Refs.PoolRef("shared", new Refs.ProjectRef("q")),
                null, null, null, null);
        Result granted = h.ok(claim("p", "x", viaRef));
        IPAllocation allocation = Reads.allocation(h.store, "p", "default", IPAllocation.nameFor("default", "x"));
        assertEquals(new Refs.PoolRef("shared", new Refs.ProjectRef("q")), allocation.spec().poolRef());
        assertEquals("10.8.0.0/24", cidrOf(granted));
        assertEquals(400, h.run(claim("r", "x", viaRef)).code());
        assertEquals("10.9.0.0/24", cidrOf(h.ok(selectorClaim("r", "y", IPFamily.IPv4, 24, Map.of("open", "yes"),
                List.of(), "q"))));
        // The owner sees every allocation carved from its pools; the holder's usage is charged.
        List<Resource> seen = Reads.allocationsOfPoolsOwnedBy(h.store, "q", 0, null, r -> true).items();
        assertEquals(2, seen.size());
        assertEquals(List.of("r", "p"), seen.stream().map(Resource::project).toList());
        assertEquals(0, Reads.allocationsOfPoolsOwnedBy(h.store, "p", 0, null, r -> true).items().size());
        assertEquals(1, Reads.project(h.store, "p").status().usage().claims());
        // Granting r later lets it in; the grant is part of the replicated state.
        h.ok(new Command.UpdatePool(ACTOR, "q", "shared", 0, null, null, new IPPool.Spec("10.8.0.0/16",
                IPFamily.IPv4, null, null, null, Visibility.shared, List.of("p", "r"))));
        assertEquals(2, stored("q", "shared").metadata().generation());
        h.ok(claim("r", "x", viaRef));
        h.ok(deleteClaim("p", "x"));
        assertEquals(1, Reads.allocationsOfPoolsOwnedBy(h.store, "q", 0, null,
                r -> r.project().equals("r") && ((IPAllocation) r).spec().poolRef().name().equals("shared"))
                .items().size());
    }

    @Test
    void crossProjectDenialLooksExactlyLikeNoMatch() {
        h.ok(pool("q", "secret", Harness.rootSpec("10.8.0.0/16", IPFamily.IPv4, null), labels("tier", "secret")));
        h.ok(pool("q", "open", "10.9.0.0/16"));
        Result denied = h.run(selectorClaim("p", "x", IPFamily.IPv4, 24, Map.of("tier", "secret"), List.of(), "q"));
        Result missing = h.run(selectorClaim("p", "x", IPFamily.IPv4, 24, Map.of("tier", "ghost"), List.of(), "q"));
        Result unknownProject = h.run(selectorClaim("p", "x", IPFamily.IPv4, 24, Map.of("tier", "secret"), List.of(),
                "ghost"));
        assertEquals(400, denied.code());
        assertEquals(missing, denied);
        assertEquals(unknownProject.message().replace("ghost", "q"), denied.message());
        IPClaim.Spec secretRef = new IPClaim.Spec(IPFamily.IPv4, 24, new Refs.PoolRef("secret",
                new Refs.ProjectRef("q")), null, null, null, null);
        IPClaim.Spec ghostRef = new IPClaim.Spec(IPFamily.IPv4, 24, new Refs.PoolRef("secret",
                new Refs.ProjectRef("q")), null, null, null, null);
        h.ok(deletePool("q", "open"));
        Result deniedRef = h.run(claim("p", "x", secretRef));
        h.ok(deletePool("q", "secret"));
        Result missingRef = h.run(claim("p", "x", ghostRef));
        assertEquals(missingRef, deniedRef);
        // Even a family mismatch must not reveal the pool.
        Result wrongFamily = h.run(claim("p", "x", new IPClaim.Spec(IPFamily.IPv6, 64, new Refs.PoolRef("secret",
                new Refs.ProjectRef("q")), null, null, null, null)));
        assertEquals("spec.poolRef.name", wrongFamily.causes().get(0).field());
    }

    @Test
    void quotasCountLiveClaimsAndIpv4Addresses() {
        h.ok(project("t", 3L, 300L));
        h.ok(pool("t", "v4", "10.0.0.0/16"));
        h.ok(pool("t", "v6", "2001:db8::/48"));
        h.ok(claim("t", "a", IPFamily.IPv4, 24, "v4"));
        Result over = h.run(claim("t", "b", IPFamily.IPv4, 26, "v4"));
        assertEquals(429, over.code());
        assertEquals("spec.quota.ipv4Addresses", over.causes().get(0).field());
        h.ok(claim("t", "b", IPFamily.IPv4, 27, "v4"));
        h.ok(claim("t", "c", IPFamily.IPv6, 64, "v6"));
        assertEquals(429, h.run(claim("t", "d", IPFamily.IPv6, 64, "v6")).code());
        h.ok(deleteClaim("t", "c"));
        h.ok(claim("t", "d", IPFamily.IPv6, 64, "v6"));
        assertEquals(new Project.Usage(3, 288, 2), Reads.project(h.store, "t").status().usage());
        h.ok(new Command.UpdateProject(ACTOR, "t", 0, null, null, new Project.ProjectSpec(new Project.Quota(null,
                null))));
        h.ok(claim("t", "e", IPFamily.IPv4, 24, "v4"));
        assertEquals(2, Reads.project(h.store, "t").metadata().generation());
    }

    @Test
    void updatesChangeLabelsAndCheckTheResourceVersion() {
        h.ok(pool("p", "web", "10.0.0.0/16"));
        IPClaim claim = (IPClaim) h.ok(claim("p", "a", IPFamily.IPv4, 24, "web")).object();
        long version = claim.metadata().resourceVersion();
        Result updated = h.ok(new Command.UpdateClaim(ACTOR, "p", "default", "a", version, labels("app", "db"),
                null, claim.spec()));
        IPClaim after = (IPClaim) updated.object();
        assertEquals(labels("app", "db"), after.metadata().labels());
        assertEquals(h.index(), after.metadata().resourceVersion());
        assertEquals(claim.metadata().uid(), after.metadata().uid());
        assertEquals(1, after.metadata().generation());
        assertEquals(claim.status(), after.status());
        assertEquals(409, h.run(new Command.UpdateClaim(ACTOR, "p", "default", "a", version, null, null, null))
                .code());
        // A spec with the defaults left out is the same spec.
        h.ok(new Command.UpdateClaim(ACTOR, "p", "default", "a", 0, null, null, new IPClaim.Spec(IPFamily.IPv4,
                24, new Refs.PoolRef("web", null), null, null, null, null)));
        h.ok(new Command.UpdatePool(ACTOR, "p", "web", 0, labels("x", "y"), null, new IPPool.Spec("10.0.0.0/16",
                IPFamily.IPv4, null, null, null, null, null)));
        assertEquals(labels("x", "y"), stored("p", "web").metadata().labels());
        String allocation = IPAllocation.nameFor("default", "a");
        h.ok(new Command.UpdateAllocation(ACTOR, "p", "default", allocation, 0, labels("k", "v"), null));
        assertEquals(labels("k", "v"), Reads.allocation(h.store, "p", "default", allocation).metadata().labels());
    }

    @Test
    void dryRunComputesTheRealAnswerAndStoresNothing() {
        h.ok(pool("p", "web", "10.0.0.0/16"));
        h.ok(claim("p", "a", IPFamily.IPv4, 24, "web"));
        byte[] before = h.export();
        Result dry;
        try (Overlay overlay = new Overlay(h.store)) {
            dry = h.ipam.execute(overlay, h.index() + 1, 0, claim("p", "b", IPFamily.IPv4, 24, "web"));
            assertThrows(UnsupportedOperationException.class, overlay::commit);
        }
        assertArrayEquals(before, h.export());
        assertEquals("10.0.1.0/24", cidrOf(dry));
        assertEquals("10.0.1.0/24", cidrOf(h.ok(claim("p", "b", IPFamily.IPv4, 24, "web"))));
    }

    @Test
    void listsPageThroughRangeScans() {
        h.ok(pool("p", "web", "10.0.0.0/16"));
        h.ok(pool("q", "other", "10.1.0.0/16"));
        for (int i = 0; i < 25; i++) {
            String namespace = i % 2 == 0 ? "default" : "prod";
            h.ok(new Command.CreateClaim(ACTOR, "p", namespace, String.format("c%02d", i), null, null,
                    Harness.claimSpec(IPFamily.IPv4, 28, "web")));
        }
        h.ok(claim("q", "elsewhere", IPFamily.IPv4, 28, "other"));
        List<String> names = new ArrayList<>();
        String continueKey = null;
        int pages = 0;
        do {
            Reads.Page page = Reads.list(h.store, Kind.CLAIM, "p", null, 10, continueKey);
            page.items().forEach(r -> names.add(r.metadata().namespace() + "/" + r.metadata().name()));
            continueKey = page.continueKey();
            pages++;
        } while (continueKey != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(25, names.size());
        assertEquals("default/c00", names.get(0));
        assertEquals("prod/c01", names.get(13));
        assertEquals(12, Reads.list(h.store, Kind.CLAIM, "p", "prod", 0, null).items().size());
        assertEquals(2, Reads.list(h.store, Kind.PROJECT, null, null, 0, null).items().size());
        assertEquals(1, Reads.list(h.store, Kind.POOL, "p", null, 0, null).items().size());
        Reads.Page labelled = Reads.list(h.store, Kind.CLAIM, "p", null, 5, null,
                r -> r.metadata().name().endsWith("3"));
        assertEquals(List.of("c03", "c13", "c23"), labelled.items().stream().map(r -> r.metadata().name()).toList());
        assertThrows(Reads.BadContinue.class, () -> Reads.list(h.store, Kind.POOL, "p", null, 1, continueOf("q")));
        assertNull(Reads.get(h.store, Kind.CLAIM, "p", "default", "nope"));
        assertNotNull(Reads.get(h.store, Kind.CLAIM, "p", "default", "c00"));
    }

    private String continueOf(String project) {
        Reads.Page page = Reads.list(h.store, Kind.CLAIM, project, null, 1, null);
        assertEquals(1, page.items().size());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                Keys.object(Kind.CLAIM, project, "default", page.items().get(0).metadata().name()));
    }

    @Test
    void ipv6PoolsCountIn128BitsAndSaturate() {
        h.ok(pool("p", "v6", "2001:db8::/32"));
        assertEquals("2001:db8::/64", cidrOf(h.ok(claim("p", "a", IPFamily.IPv6, 64, "v6"))));
        assertEquals("2001:db8:0:1::/64", cidrOf(h.ok(claim("p", "b", IPFamily.IPv6, 64, "v6"))));
        assertEquals("2001:db8:1::/48", cidrOf(h.ok(claim("p", "c", IPFamily.IPv6, 48, "v6"))));
        IPPool v6 = stored("p", "v6");
        assertEquals(Long.MAX_VALUE, v6.status().capacity().total());
        assertEquals(Long.MAX_VALUE, v6.status().capacity().allocated());
        assertEquals(Long.MAX_VALUE, v6.status().capacity().available());
        assertEquals(33, v6.status().largestFreePrefix());
        assertEquals(0, v6.status().utilizationPercent());
        h.ok(pool("p", "small6", "2001:db9::/120"));
        h.ok(claim("p", "d", IPFamily.IPv6, 121, "small6"));
        assertEquals(new IPPool.Capacity(256, 128, 128), stored("p", "small6").status().capacity());
        assertEquals(50, stored("p", "small6").status().utilizationPercent());
        h.ok(claimCidr("p", "e", "v6", "2001:db8:ffff:ffff::/64"));
        assertEquals(0, Reads.project(h.store, "p").status().usage().ipv4Addresses());
    }

    @Test
    void projectsAreDeletedOnlyWhenEmpty() {
        h.ok(pool("q", "web", "10.0.0.0/16"));
        h.ok(claim("q", "a", IPFamily.IPv4, 24, "web"));
        assertEquals(409, h.run(new Command.DeleteProject(ACTOR, "q", 0)).code());
        h.ok(deleteClaim("q", "a"));
        assertEquals(409, h.run(new Command.DeleteProject(ACTOR, "q", 0)).code());
        h.ok(deletePool("q", "web"));
        Result deleted = h.ok(new Command.DeleteProject(ACTOR, "q", 0));
        assertEquals(ChangeType.DELETED, deleted.changes().get(0).type());
        assertNull(Reads.project(h.store, "q"));
        assertEquals(404, h.run(pool("q", "web", "10.0.0.0/16")).code());
        h.ok(project("q"));
        assertNotEquals(deleted.object().metadata().uid(), Reads.project(h.store, "q").metadata().uid());
    }

    @Test
    void malformedCommandBytesAreABadRequestNotACrash() {
        assertNotNull(h.ipam.check(new byte[] {1, 99}));
        assertNotNull(h.ipam.check(new byte[0]));
        assertNull(h.ipam.check(Codec.encodeCommand(project("z"))));
        // Decodable but invalid: logged, and answered by apply with the field at fault.
        assertNull(h.ipam.check(Codec.encodeCommand(project("Not Valid"))));
        assertEquals("metadata.name", Ipam.validate(project("Not Valid")).causes().get(0).field());
        assertNull(Ipam.validate(project("valid")));
        byte[] result;
        try (var batch = h.store.batch()) {
            result = h.ipam.apply(batch, 1000, 0, new byte[] {1, 99});
        }
        assertEquals(400, Codec.decodeResult(result).code());
    }
}
