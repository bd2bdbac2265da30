package dev.ipam.jepsen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder every client and the nemesis write to. Indexes are dense and assigned under one lock,
 * so the index order is a real-time order: an operation completed before another was invoked has a
 * smaller completion index than the other's invocation index. Each event is also streamed as a JSON
 * line so that a crashed run still leaves its history behind.
 */
public final class History {
    private final List<Op> ops = new ArrayList<>();
    private final long originNs;
    private final int opsMax;
    private final Writer stream;

    /**
     * @param opsMax the most events kept; recording past it throws (a run that large is misconfigured)
     * @param stream where JSON lines go as they happen, or null
     */
    public History(int opsMax, Writer stream) {
        this.opsMax = opsMax;
        this.stream = stream;
        this.originNs = System.nanoTime();
    }

    public Op invoke(int process, String node, String f, OpValue value) {
        return append(Op.Type.INVOKE, f, value, process, node, null);
    }

    /** Records the completion of {@code invocation} with its outcome. */
    public Op complete(Op invocation, Op.Type type, OpValue value, String error) {
        if (invocation.type() != Op.Type.INVOKE || type == Op.Type.INVOKE) {
            throw new IllegalArgumentException("complete() pairs an invoke with ok/fail/info: " + invocation + " " + type);
        }
        return append(type, invocation.f(), value, invocation.process(), invocation.node(), error);
    }

    private synchronized Op append(Op.Type type, String f, OpValue value, int process, String node, String error) {
        if (ops.size() >= opsMax) {
            throw new IllegalStateException("history full: opsMax=" + opsMax + "; lower the duration or ops per pool");
        }
        Op op = new Op(ops.size(), type, f, value, process, node, System.nanoTime() - originNs, error);
        ops.add(op);
        if (stream != null) {
            try {
                stream.write(HistoryJson.line(op));
                stream.write('\n');
                stream.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("writing the history stream", e);
            }
        }
        return op;
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized int size() {
        return ops.size();
    }
}
