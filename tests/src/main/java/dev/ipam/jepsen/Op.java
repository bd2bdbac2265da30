package dev.ipam.jepsen;

/**
 * One history event in Jepsen's shape: an invocation, or its completion (ok, fail, info).
 *
 * @param index position in the history, dense from 0, a total order consistent with real time
 * @param process the client process, or {@link #NEMESIS} for faults
 * @param node the node the request went to (null for nemesis and setup)
 * @param timeNs nanoseconds since the history began
 * @param error why a fail or info happened (null otherwise)
 */
public record Op(long index, Type type, String f, OpValue value, int process, String node, long timeNs,
                 String error) {
    /** The process number of the nemesis; written as {@code :nemesis} in EDN. */
    public static final int NEMESIS = -1;

    public enum Type {
        INVOKE, OK, FAIL, INFO;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Type of(String word) {
            return valueOf(word.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** f values used by the workload and nemesis. */
    public static final String CLAIM = "claim";
    public static final String RELEASE = "release";
    public static final String READ = "read";
    /** A linearizable read of a pool after the cluster is healed. */
    public static final String FINAL_READ = "final-read";
    /** A resourceVersion=0 read of one node's local state after healing; compared across nodes. */
    public static final String LOCAL_READ = "local-read";
    public static final String CREATE_POOL = "create-pool";
    /** Nemesis f values are {@code start-<fault>} and {@code stop-<fault>}, as Jepsen's are. */
    public static final String START_PREFIX = "start-";
    public static final String STOP_PREFIX = "stop-";

    public boolean isInvoke() {
        return type == Type.INVOKE;
    }

    public boolean isNemesis() {
        return process == NEMESIS;
    }

    public Op withIndex(long newIndex) {
        return new Op(newIndex, type, f, value, process, node, timeNs, error);
    }
}
