package dev.ipam.jepsen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An invocation and its completion; {@code completion} is null when the process never completed
 * (the run ended first), which counts as indeterminate.
 */
public record OpPair(Op invoke, Op completion) {
    public Op.Type outcome() {
        return completion == null ? Op.Type.INFO : completion.type();
    }

    public boolean ok() {
        return outcome() == Op.Type.OK;
    }

    /** The completion's value when it has one, else the invocation's. */
    public OpValue value() {
        return completion != null && completion.value() != null ? completion.value() : invoke.value();
    }

    /** Index of the completion, or Long.MAX_VALUE when the op never completed. */
    public long completeIndex() {
        return completion == null ? Long.MAX_VALUE : completion.index();
    }

    /** Pairs every invocation with the next event of the same process. */
    public static List<OpPair> pair(List<Op> history) {
        Map<Integer, Op> open = new HashMap<>();
        List<OpPair> pairs = new ArrayList<>();
        Map<Long, Integer> slot = new HashMap<>();
        for (Op op : history) {
            if (op.isInvoke()) {
                Op previous = open.put(op.process(), op);
                if (previous != null) {
                    throw new IllegalArgumentException("process " + op.process() + " invoked op " + op.index()
                            + " while op " + previous.index() + " was still open");
                }
                slot.put(op.index(), pairs.size());
                pairs.add(new OpPair(op, null));
            } else {
                Op invoke = open.remove(op.process());
                if (invoke == null) {
                    throw new IllegalArgumentException("op " + op.index() + " completes nothing for process " + op.process());
                }
                pairs.set(slot.get(invoke.index()), new OpPair(invoke, op));
            }
        }
        return pairs;
    }
}
