package dev.ipam.jepsen;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Wing and Gong's linearizability search with Lowe's memoization (as in Porcupine and knossos'
 * {@code linear}): walk the history's call/return events, tentatively linearize a call whose step is
 * legal, lift it out of the event list, and backtrack at a return whose call could not be placed.
 * A (set of linearized ops, model state) pair already explored is never explored again.
 *
 * <p>Optional calls (indeterminate operations that no read pinned down) have their return at the end
 * of time: they may be linearized anywhere after their call, or never. Reaching such a return means
 * every required call was linearized.
 *
 * <p>The search stops at a deadline or a cache size and answers {@link Verdict#UNKNOWN}: never a
 * guess.
 */
public final class Linearizability {
    private Linearizability() {
    }

    public enum Verdict {
        VALID, INVALID, UNKNOWN
    }

    /**
     * One operation to place. Positions order events: calls and returns come from history indices
     * (times two), a return pinned by a read sits just before that read's return.
     *
     * @param optional the op may never have happened; its returnPos is ignored
     */
    public record Call(int id, OpValue value, long callPos, long returnPos, boolean optional, Op invoke,
                       Op completion) {
    }

    /**
     * @param stuck when INVALID, the op whose return could not be passed at the deepest point reached
     * @param stuckStates model states from which {@code stuck} had no legal placement (a few, for the report)
     * @param linearizedMax the most ops placed at once
     * @param statesExplored distinct (set, state) pairs visited
     */
    public record Result(Verdict verdict, Call stuck, List<String> stuckStates, int linearizedMax,
                         long statesExplored, String reason) {
    }

    private static final class Entry {
        final Call call;
        final boolean isReturn;
        Entry match;
        Entry prev;
        Entry next;

        Entry(Call call, boolean isReturn) {
            this.call = call;
            this.isReturn = isReturn;
        }
    }

    private record Frame(Entry entry, PoolModel.State state) {
    }

    private record CacheKey(BitSet linearized, PoolModel.State state) {
    }

    private static final int STUCK_STATES_MAX = 4;
    private static final int DEADLINE_CHECK_EVERY = 1024;

    /**
     * @param deadlineNs a {@link System#nanoTime()} after which the search gives up (UNKNOWN)
     * @param cacheEntriesMax the most memoized configurations before giving up (UNKNOWN)
     */
    public static Result check(PoolModel model, List<Call> calls, long deadlineNs, int cacheEntriesMax) {
        Entry head = build(calls);
        PoolModel.State state = model.initial();
        BitSet linearized = new BitSet();
        Set<CacheKey> cache = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        Entry entry = head.next;
        Call stuck = null;
        List<String> stuckStates = new ArrayList<>();
        int deepest = -1;
        long steps = 0;
        while (head.next != null) {
            if (++steps % DEADLINE_CHECK_EVERY == 0 && System.nanoTime() > deadlineNs) {
                return new Result(Verdict.UNKNOWN, null, List.of(), deepest, cache.size(), "time budget exhausted");
            }
            if (cache.size() > cacheEntriesMax) {
                return new Result(Verdict.UNKNOWN, null, List.of(), deepest, cache.size(),
                        "cacheEntriesMax=" + cacheEntriesMax + " exceeded");
            }
            if (!entry.isReturn) {
                PoolModel.State next = model.step(state, entry.call.value());
                if (next != null) {
                    BitSet placed = (BitSet) linearized.clone();
                    placed.set(entry.call.id());
                    if (cache.add(new CacheKey(placed, next))) {
                        stack.push(new Frame(entry, state));
                        state = next;
                        linearized = placed;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (entry.call.optional()) {
                    return new Result(Verdict.VALID, null, List.of(), calls.size(), cache.size(), null);
                }
                if (stack.size() > deepest) {
                    deepest = stack.size();
                    stuck = entry.call;
                    stuckStates.clear();
                }
                if (stack.size() == deepest && entry.call == stuck && stuckStates.size() < STUCK_STATES_MAX) {
                    stuckStates.add(state.toString());
                }
                if (stack.isEmpty()) {
                    return new Result(Verdict.INVALID, stuck, List.copyOf(stuckStates), deepest, cache.size(),
                            "no linearization places op " + stuck.invoke().index());
                }
                Frame top = stack.pop();
                state = top.state();
                linearized.clear(top.entry().call.id());
                unlift(top.entry());
                entry = top.entry().next;
            }
        }
        return new Result(Verdict.VALID, null, List.of(), calls.size(), cache.size(), null);
    }

    private static Entry build(List<Call> calls) {
        record Event(long pos, int order, Entry entry) {
        }
        List<Event> events = new ArrayList<>();
        for (Call call : calls) {
            Entry callEntry = new Entry(call, false);
            Entry returnEntry = new Entry(call, true);
            callEntry.match = returnEntry;
            returnEntry.match = callEntry;
            long returnPos = call.optional() ? Long.MAX_VALUE : call.returnPos();
            if (!call.optional() && returnPos <= call.callPos()) {
                throw new IllegalArgumentException("op " + call.invoke().index() + " returns before it is called");
            }
            events.add(new Event(call.callPos(), events.size(), callEntry));
            events.add(new Event(returnPos, events.size(), returnEntry));
        }
        events.sort(Comparator.comparingLong(Event::pos).thenComparingInt(Event::order));
        Entry head = new Entry(null, false);
        Entry last = head;
        for (Event event : events) {
            last.next = event.entry();
            event.entry().prev = last;
            last = event.entry();
        }
        return head;
    }

    /** Removes a call and its return from the event list (they stay linked for unlift). */
    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
