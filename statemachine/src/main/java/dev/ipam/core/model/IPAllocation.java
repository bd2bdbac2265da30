package dev.ipam.core.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** A block carved from a pool for a claim; written only by the server. */
public record IPAllocation(String project, ObjectMeta metadata, Spec spec, Status status) implements Resource {
    @Override
    public Kind kind() {
        return Kind.ALLOCATION;
    }

    /** @param poolRef the pool; projectRef set when the pool lives in another project */
    public record Spec(IPFamily ipFamily, Refs.PoolRef poolRef) {
    }

    /**
     * @param claimRef extension: the claim it is bound to, null once unbound (Retain)
     */
    public record Status(AllocationPhase phase, String allocatedCIDR, Refs.LocalRef claimRef,
                         List<Condition> conditions) {
        public Status {
            conditions = Immutable.list(conditions);
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * One digest per thread: {@code MessageDigest.getInstance} is a provider lookup per call (JFR, one
     * node at c=64: nameFor was ~9% of the apply thread, the lookup ~40% of that). {@code digest()}
     * resets it, so reuse gives the same bytes.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    });

    /** The deterministic name of a claim's allocation: "alloc-" + hex(first 8 bytes of sha256(namespace/claim)). */
    public static String nameFor(String namespace, String claim) {
        MessageDigest digest = SHA_256.get();
        byte[] hash = digest.digest((namespace + "/" + claim).getBytes(StandardCharsets.UTF_8));
        char[] out = new char[6 + 16];
        "alloc-".getChars(0, 6, out, 0);
        for (int i = 0; i < 8; i++) {
            out[6 + 2 * i] = HEX[(hash[i] >> 4) & 0xF];
            out[7 + 2 * i] = HEX[hash[i] & 0xF];
        }
        return new String(out);
    }
}
