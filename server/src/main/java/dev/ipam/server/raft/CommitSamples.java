package dev.ipam.server.raft;

/**
 * What this node knew of the commit index over the last moments, sampled on a timer, so that
 * {@code /readyz} asks "has it applied what was committed {@link #LAG_MS} ago" whatever the probes'
 * cadence, and knows when the node itself was not running.
 *
 * <p>Before, the target was the commit index seen by the previous probe. The first probe after a long
 * pause (SIGSTOP, a stalled VM) then judged the node against what it knew before the pause, which it
 * had applied, and answered 200 once while the node was thousands of entries behind. Samples further
 * apart than {@link #GAP_MS} mean the node was not running in between: everything before such a gap
 * is forgotten. The samples of the first {@link #SETTLE_MS} after a start or a pause are no targets
 * either (the node may not have heard from the leader yet), so the node is judged again
 * {@code SETTLE_MS + LAG_MS} after it resumed, by what it learned once it was running.
 *
 * <p>Times are in milliseconds of a monotonic clock; a sample's value is the commit index learned then
 * (the readiness rule's {@code nextTarget}), {@link Long#MAX_VALUE} when it learned none.
 */
final class CommitSamples {
    static final long PERIOD_MS = 50;
    /** The target is the newest sample at least this old. */
    static final long LAG_MS = 200;
    /**
     * After a start or a pause, samples this early are no targets: the node may not have heard from the
     * leader yet, and the commit index it knows is still the one from before.
     */
    static final long SETTLE_MS = 200;
    /** Samples further apart than this: the process (or its timer) did not run in between. */
    static final long GAP_MS = 1_000;
    private static final int CAPACITY = 32;

    /** The commit index to have applied, or why there is none to judge by. */
    record Target(long index, String problem) {
    }

    private final long[] times = new long[CAPACITY];
    private final long[] values = new long[CAPACITY];
    /** Samples held, newest at {@code (next - 1) mod CAPACITY}. */
    private int count;
    private int next;

    synchronized void add(long nowMs, long learned) {
        times[next] = nowMs;
        values[next] = learned;
        next = (next + 1) % CAPACITY;
        count = Math.min(count + 1, CAPACITY);
    }

    synchronized Target target(long nowMs) {
        if (count == 0) {
            return new Target(Long.MAX_VALUE, "no commit index sampled yet");
        }
        int newest = (next - 1 + CAPACITY) % CAPACITY;
        if (nowMs - times[newest] > GAP_MS) {
            return new Target(Long.MAX_VALUE, "no commit index sampled for " + (nowMs - times[newest])
                    + " ms: the node was paused or stalled");
        }
        // The run of samples without a gap that ends now: where it began, and the gap before it.
        int i = newest;
        int inRun = 1;
        long gapMs = -1;
        while (inRun < count) {
            int older = (i - 1 + CAPACITY) % CAPACITY;
            if (times[i] - times[older] > GAP_MS) {
                gapMs = times[i] - times[older];
                break;
            }
            i = older;
            inRun++;
        }
        long runStart = times[i];
        // A run that fills the ring began long enough ago; a shorter one began at a start or a pause.
        boolean startKnown = inRun < CAPACITY;
        for (int seen = 0, j = newest; seen < inRun; seen++, j = (j - 1 + CAPACITY) % CAPACITY) {
            boolean settled = !startKnown || times[j] - runStart >= SETTLE_MS;
            if (settled && nowMs - times[j] >= LAG_MS) {
                return new Target(values[j], null);
            }
        }
        String since = gapMs >= 0 ? "after " + gapMs + " ms without (the node was paused or stalled)" : "since start";
        return new Target(Long.MAX_VALUE, "sampling the commit index for " + (nowMs - runStart) + " ms " + since
                + "; judged after " + (SETTLE_MS + LAG_MS) + " ms");
    }
}
