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
        String ratis = RaftServerConfigKeys.class.getPackage().getImplementationVersion();
        if (!RATIS_VERSION.equals(ratis)) {
            return "Apache Ratis " + ratis + " is on the class path, but ipamd's " + CLASS + " was written for " + RATIS_VERSION
                    + ": check it against that version's LeaderStateImpl, then change ReadIndexReplacement.RATIS_VERSION";
        }
        try {
            Class.forName(CLASS).getDeclaredField("REPLACEMENT");
            return null;
        } catch (ClassNotFoundException | NoSuchFieldException e) {
            return "Apache Ratis' own " + CLASS + " is loaded instead of ipamd's, whose linearizable reads it fixes:"
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
