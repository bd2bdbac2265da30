package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ipam.core.model.AllocationPhase;
import dev.ipam.core.model.ChangeType;
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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every command, result and object survives encode/decode; corrupt bytes are refused, never misread. */
class CodecTest {
    static final ObjectMeta META = new ObjectMeta("n", "ns", "uid-1", 7, 2, 1234, Harness.labels("a", "b", "ü", "é"),
            Harness.labels("note", "multi\nline ✓"));
    static final List<Condition> CONDITIONS = List.of(new Condition("Ready", ConditionStatus.True, "R", "msg", 99, 3));
    static final IPPool.Spec POOL_SPEC = new IPPool.Spec("10.0.0.0/8", IPFamily.IPv4, new Refs.LocalRef("parent"), 8,
            new IPPool.AllocationSettings(16, 30, Strategy.LeastUtilized), Visibility.shared, List.of("a", "*"));
    static final IPClaim.Spec CLAIM_SPEC = new IPClaim.Spec(IPFamily.IPv6, 64, new Refs.PoolRef("web",
            new Refs.ProjectRef("other")), new PoolSelector(Harness.labels("tier", "web"), List.of(
            new PoolSelector.Requirement("zone", SelectorOperator.NotIn, List.of("a", "b")),
            new PoolSelector.Requirement("gold", SelectorOperator.Exists, List.of())), new Refs.ProjectRef("x")),
            "2001:db8::/64", new Refs.ObjectRef("apps", "Deployment", "web", null), ReclaimPolicy.Retain);

    static List<Resource> resources() {
        return List.of(
                new Project(META, new Project.ProjectSpec(new Project.Quota(5L, null)),
                        new Project.ProjectStatus(new Project.Usage(1, 2, 3), CONDITIONS)),
                new Project(META, null, null),
                new IPPool("p", META, POOL_SPEC, new IPPool.Status(PoolPhase.Exhausted, "10.0.0.0/8", IPFamily.IPv4,
                        new IPPool.Capacity(Long.MAX_VALUE, 5, 0), 0, 100, CONDITIONS)),
                new IPPool("p", META, new IPPool.Spec(null, null, null, null, null, null, null), null),
                new IPClaim("p", META, CLAIM_SPEC, new IPClaim.Status(ClaimPhase.Bound, "2001:db8::/64",
                        new Refs.LocalRef("alloc-1"), new Refs.PoolRef("web", null), CONDITIONS)),
                new IPClaim("p", META, null, null),
                new IPAllocation("p", META, new IPAllocation.Spec(IPFamily.IPv4, new Refs.PoolRef("web", null)),
                        new IPAllocation.Status(AllocationPhase.Ready, "10.0.0.0/24", null, CONDITIONS)));
    }

    static List<Command> commands() {
        return List.of(
                new Command.CreateProject("a", "p", Harness.labels("k", "v"), null,
                        new Project.ProjectSpec(new Project.Quota(null, 9L))),
                new Command.UpdateProject("a", "p", 3, null, Harness.labels("k", "v"), null),
                new Command.DeleteProject("a", "p", 0),
                new Command.CreatePool("a", "p", "web", null, null, POOL_SPEC),
                new Command.UpdatePool("a", "p", "web", -1, null, null, null),
                new Command.DeletePool("a", "p", "web", Long.MAX_VALUE),
                new Command.CreateClaim("a", "p", "ns", "c", null, null, CLAIM_SPEC),
                new Command.UpdateClaim("a", "p", "ns", "c", 5, null, null, CLAIM_SPEC),
                new Command.DeleteClaim("a", "p", "ns", "c", 5),
                new Command.UpdateAllocation("a", "p", "ns", "alloc-1", 5, Harness.labels("x", ""), null),
                new Command.DeleteAllocation("a", "p", "ns", "alloc-1", 0));
    }

    @Test
    void resourcesRoundTrip() {
        for (Resource resource : resources()) {
            byte[] bytes = Codec.encodeResource(resource);
            assertEquals(resource, Codec.decodeResource(bytes));
            assertArrayEquals(bytes, Codec.encodeResource(Codec.decodeResource(bytes)));
        }
    }

    /** A delete's record, spliced from the stored bytes, is byte for byte what encoding it gives. */
    @Test
    void aResourceVersionSplicedIntoStoredBytesEqualsTheEncoding() {
        long[] versions = {0, 1, 63, 64, 127, 128, 1L << 20, 1L << 40, Long.MAX_VALUE};
        for (Resource resource : resources()) {
            for (long from : versions) {
                Resource source = Context.withResourceVersion(resource, from);
                byte[] stored = Codec.stored(source, 0).value();
                for (long to : versions) {
                    Codec.Stored spliced = Codec.withResourceVersion(stored, to);
                    if (resource instanceof IPPool) {
                        assertNull(spliced, "pools are encoded, not spliced");
                        continue;
                    }
                    Codec.Stored encoded = Codec.stored(Context.withResourceVersion(source, to), 0);
                    String what = resource.kind() + " " + from + " -> " + to;
                    assertArrayEquals(encoded.value(), spliced.value(), what);
                    assertEquals(encoded.bodyEnd(), spliced.bodyEnd(), what);
                }
            }
        }
    }

    /** A pool rewritten for its status alone, spliced from its layout, is byte for byte its encoding. */
    @Test
    void aPoolStatusSplicedIntoItsLayoutEqualsTheEncoding() {
        List<IPPool.Status> statuses = java.util.Arrays.asList(null,
                new IPPool.Status(PoolPhase.Ready, "10.0.0.0/8", IPFamily.IPv4, new IPPool.Capacity(1L << 24, 1L << 40, 0), 8, 0,
                        List.of()),
                new IPPool.Status(PoolPhase.Exhausted, null, null, null, 0, 100, CONDITIONS),
                new IPPool.Status(PoolPhase.Ready, "10.0.0.0/8", IPFamily.IPv4, new IPPool.Capacity(9, 3, 6), 24, 33, CONDITIONS));
        long[] versions = {0, 127, 128, 1L << 40};
        for (Resource resource : resources()) {
            if (!(resource instanceof IPPool pool)) {
                continue;
            }
            for (long id : new long[] {0, 300, Long.MAX_VALUE}) {
                for (long from : versions) {
                    for (IPPool.Status before : statuses) {
                        IPPool source = new IPPool(pool.project(), pool.metadata().withResourceVersion(from), pool.spec(), before);
                        int[] marks = new int[4];
                        Codec.PoolLayout layout = Codec.PoolLayout.of(Codec.storedPool(source, id, marks), marks);
                        for (long to : versions) {
                            for (IPPool.Status after : statuses) {
                                IPPool updated = new IPPool(pool.project(), pool.metadata().withResourceVersion(to), pool.spec(), after);
                                int[] splicedMarks = new int[4];
                                int[] encodedMarks = new int[4];
                                // the caller vouches for the conditions by identity, as Context does
                                boolean same = before != null && after != null && before.conditions() == after.conditions();
                                Codec.Stored spliced = Codec.restatus(layout, updated, id, splicedMarks, same);
                                Codec.Stored encoded = Codec.storedPool(updated, id, encodedMarks);
                                String what = "id " + id + " version " + from + " -> " + to + " status " + before + " -> " + after;
                                assertArrayEquals(encoded.value(), spliced.value(), what);
                                assertEquals(encoded.bodyEnd(), spliced.bodyEnd(), what);
                                assertArrayEquals(encodedMarks, splicedMarks, what + " layout");
                                assertArrayEquals(Codec.stored(updated, id).value(), encoded.value(), what + " against stored()");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void commandsRoundTrip() {
        for (Command command : commands()) {
            Command decoded = Codec.decodeCommand(Codec.encodeCommand(command));
            // Null maps decode as empty maps: compare re-encodings, then the records where no map was null.
            assertArrayEquals(Codec.encodeCommand(command), Codec.encodeCommand(decoded), command.toString());
        }
        Command create = commands().get(6);
        assertEquals(create.toString().replace("labels=null", "labels={}").replace("annotations=null",
                "annotations={}"), Codec.decodeCommand(Codec.encodeCommand(create)).toString());
    }

    @Test
    void resultsRoundTrip() {
        Result result = new Result(201, null, "", List.of(), resources().get(4), List.of(
                new Result.Change(ChangeType.ADDED, resources().get(4)),
                new Result.Change(ChangeType.DELETED, resources().get(0))));
        assertEquals(result, Codec.decodeResult(Codec.encodeResult(result)));
        Result rejection = Result.rejected(Result.Reason.Invalid, "spec.cidr", "bad");
        assertEquals(rejection, Codec.decodeResult(Codec.encodeResult(rejection)));
    }

    @Test
    void claimCommandTypeAndOutcomeAgreeWithTheFullDecode() {
        for (Command command : commands()) {
            Class<? extends Command> expected = command instanceof Command.CreateClaim || command instanceof Command.DeleteClaim
                    ? command.getClass() : null;
            assertEquals(expected, Codec.claimCommandType(Codec.encodeCommand(command)).orElse(null), command.toString());
        }
        assertEquals(Optional.empty(), Codec.claimCommandType(new byte[] {99, 7}), "another format version");
        assertEquals(Optional.empty(), Codec.claimCommandType(new byte[0]));
        Result created = new Result(201, null, "", List.of(), resources().get(4), List.of());
        assertEquals(new Result.Outcome(201, null), Codec.decodeOutcome(Codec.encodeResult(created)));
        Result rejection = Result.rejected(Result.Reason.Invalid, "spec.cidr", "bad");
        assertEquals(new Result.Outcome(422, Result.Reason.Invalid), Codec.decodeOutcome(Codec.encodeResult(rejection)));
    }

    @Test
    void corruptBytesAreRefused() {
        byte[] bytes = Codec.encodeCommand(commands().get(6));
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThrows(Codec.Malformed.class, () -> Codec.decodeCommand(truncated), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(Codec.Malformed.class, () -> Codec.decodeCommand(longer));
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 2;
        assertThrows(Codec.Malformed.class, () -> Codec.decodeCommand(otherVersion));
        byte[] badTag = bytes.clone();
        badTag[1] = 77;
        assertThrows(Codec.Malformed.class, () -> Codec.decodeCommand(badTag));
    }
}
