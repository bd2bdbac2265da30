package dev.ipam.ratis;

/** Always-on invariant checks (the JVM's assert is off in production). */
final class Check {
    private Check() {
    }

    static void that(boolean condition, String fact) {
        if (!condition) {
            throw new IllegalStateException("invariant broken: " + fact);
        }
    }
}
