package dev.ipam.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipam.core.model.AllocationPhase;
import dev.ipam.core.model.ClaimPhase;
import dev.ipam.core.model.Condition;
import dev.ipam.core.model.ConditionStatus;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The streaming JSON writer of the hot path ({@link ModelJson#toJsonBytes}) must give exactly the
 * bytes of the tree form ({@link ModelJson#toJson}) that lists, watches, tables and patches use:
 * every kind, with every optional field set and with every one absent.
 */
class ModelJsonTest {
    private final Wire wire = new Wire(ApiConfig.defaults(0));
    private final ModelJson model = new ModelJson(wire);

    private static ObjectMeta meta(String namespace, boolean full) {
        TreeMap<String, String> labels = new TreeMap<>();
        TreeMap<String, String> annotations = new TreeMap<>();
        if (full) {
            labels.put("app", "web");
            labels.put("tier", "front \"quoted\" \u00e9");
            annotations.put("note", "line\nbreak");
        }
        return new ObjectMeta("name-1", namespace, "uid-1", 42, 3, 1_763_776_349_123L, labels, annotations);
    }

    private static List<Condition> conditions(boolean full) {
        if (!full) {
            return List.of();
        }
        return List.of(new Condition("Ready", ConditionStatus.True, "Bound", "bound to 10.0.0.0/24", 1_763_776_349_999L, 0),
                new Condition("Other", ConditionStatus.False, "Why", "because", 1_763_776_350_001L, 7),
                new Condition("Old", ConditionStatus.Unknown, "Before1970", "negative time", -1_500L, 1));
    }

    private void same(Resource resource) {
        String tree = new String(wire.write(model.toJson(resource), false), StandardCharsets.UTF_8);
        String streamed = new String(model.toJsonBytes(resource), StandardCharsets.UTF_8);
        assertEquals(tree, streamed);
    }

    @Test
    void poolsAreWrittenAsTheTreeWouldBe() {
        same(new IPPool("p", meta("", true), new IPPool.Spec("10.0.0.0/8", IPFamily.IPv4, new Refs.LocalRef("parent"), 16,
                new IPPool.AllocationSettings(16, 28, Strategy.BestFit), Visibility.values()[0], List.of("a", "b")),
                new IPPool.Status(PoolPhase.Ready, "10.0.0.0/8", IPFamily.IPv4, new IPPool.Capacity(1L << 24, 256, (1L << 24) - 256),
                        9, 1, conditions(true))));
        same(new IPPool("p", meta("", false), new IPPool.Spec(null, null, null, null, null, null, List.of()),
                new IPPool.Status(null, null, null, null, 0, 0, conditions(false))));
        same(new IPPool("p", meta("", false), null, null));
    }

    @Test
    void claimsAreWrittenAsTheTreeWouldBe() {
        TreeMap<String, String> match = new TreeMap<>();
        match.put("zone", "a");
        PoolSelector selector = new PoolSelector(match, List.of(
                new PoolSelector.Requirement("env", SelectorOperator.In, List.of("prod", "dev")),
                new PoolSelector.Requirement("x", SelectorOperator.Exists, List.of())), new Refs.ProjectRef("other"));
        same(new IPClaim("p", meta("ns", true), new IPClaim.Spec(IPFamily.IPv6, 64,
                new Refs.PoolRef("pool", new Refs.ProjectRef("shared")), selector, "fd00::/64",
                new Refs.ObjectRef("apps", "Deployment", "web", "ns"), ReclaimPolicy.values()[0]),
                new IPClaim.Status(ClaimPhase.Bound, "fd00::/64", new Refs.LocalRef("ns.name-1"),
                        new Refs.PoolRef("pool", null), conditions(true))));
        same(new IPClaim("p", meta("ns", false), new IPClaim.Spec(IPFamily.IPv4, null, null,
                new PoolSelector(new TreeMap<>(), List.of(), null), null, new Refs.ObjectRef(null, null, null, null), null),
                new IPClaim.Status(ClaimPhase.Pending, null, null, null, conditions(false))));
        same(new IPClaim("p", meta("", false), null, null));
    }

    @Test
    void allocationsAndProjectsAreWrittenAsTheTreeWouldBe() {
        same(new IPAllocation("p", meta("ns", true), new IPAllocation.Spec(IPFamily.IPv4, new Refs.PoolRef("pool", null)),
                new IPAllocation.Status(AllocationPhase.Ready, "10.0.0.0/24", new Refs.LocalRef("claim"), conditions(true))));
        same(new IPAllocation("p", meta("ns", false), new IPAllocation.Spec(null, null),
                new IPAllocation.Status(null, null, null, conditions(false))));
        same(new IPAllocation("p", meta("ns", false), null, null));
        same(new Project(meta("", true), new Project.ProjectSpec(new Project.Quota(10L, 1024L)),
                new Project.ProjectStatus(new Project.Usage(1, 256, 2), conditions(true))));
        same(new Project(meta("", false), new Project.ProjectSpec(new Project.Quota(null, null)),
                new Project.ProjectStatus(null, conditions(false))));
        same(new Project(meta("", false), new Project.ProjectSpec(null), null));
        same(new Project(meta("", false), null, null));
    }

    @Test
    void timestampsAreSecondsInUtcWhateverWasFormattedBefore() {
        assertEquals("2025-11-22T01:52:29Z", ModelJson.timestamp(1_763_776_349_123L));
        assertEquals("2025-11-22T01:52:29Z", ModelJson.timestamp(1_763_776_349_999L));
        assertEquals("2025-11-22T01:52:30Z", ModelJson.timestamp(1_763_776_350_000L));
        assertEquals("1969-12-31T23:59:58Z", ModelJson.timestamp(-1_500L));
        assertEquals("1970-01-01T00:00:00Z", ModelJson.timestamp(0L));
    }
}
