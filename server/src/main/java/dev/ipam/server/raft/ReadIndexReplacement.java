package dev.ipam.server.raft;

import org.apache.ratis.server.RaftServerConfigKeys;

/**
 * Start-up check for ipamd's replacement of Ratis' {@code ReadIndexHeartbeats} (see that class,
 * {@code org.apache.ratis.server.impl.ReadIndexHeartbeats} in this module): without it, a leader cut
 * off from its followers answers linearizable reads from a stale state. The replacement is written
 * against the members Ratis {@value #RATIS_VERSION} calls, so another Ratis version must be checked
 * against it before it is allowed here.
 */
final class ReadIndexReplacement {
    static final String RATIS_VERSION = "3.3.0";
    private static final String CLASS = "org.apache.ratis.server.impl.ReadIndexHeartbeats";

    private ReadIndexReplacement() {
    }

    /** @return null when the replacement is in use with the Ratis it was written for, else the problem and its fix */
    static String problem() {
        return problem(RaftServerConfigKeys.class.getPackage().getImplementationVersion(), CLASS);
    }

    /** {@link #problem()} for a given Ratis version and class name (tests). */
    static String problem(String ratis, String className) {
        if (!RATIS_VERSION.equals(ratis)) {
            String found = ratis == null ? "of an unknown version (no Implementation-Version in the manifest of the jar"
                    + " holding " + RaftServerConfigKeys.class.getName() + ")" : ratis;
            return "Apache Ratis " + found + " is on the class path, but ipamd's " + className + " was written for " + RATIS_VERSION
                    + ": check it against that version's LeaderStateImpl, then change ReadIndexReplacement.RATIS_VERSION";
        }
        try {
            Class.forName(className).getDeclaredField("REPLACEMENT");
            return null;
        } catch (ClassNotFoundException | NoSuchFieldException e) {
            return "Apache Ratis' own " + className + " is loaded instead of ipamd's, whose linearizable reads it fixes:"
                    + " put ipamd's classes (server/target/classes or its jar) before the Ratis jars on the class path";
        }
    }

    /** Refuses to start a node whose linearizable reads could be stale. */
    static void require() {
        String problem = problem();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }
}
