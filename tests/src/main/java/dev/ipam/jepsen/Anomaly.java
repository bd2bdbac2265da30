package dev.ipam.jepsen;

import java.util.List;

/**
 * A broken promise found in a history, with the operations that show it.
 *
 * @param kind one of the constants below
 */
public record Anomaly(String kind, String pool, String message, List<Op> ops) {
    /** Two blocks live at the same time overlap. */
    public static final String OVERLAP = "overlap";
    /** A block lies outside its pool, is misaligned, or has the wrong length. */
    public static final String BAD_BLOCK = "bad-block";
    /** An acknowledged claim that was never released is missing (or changed) after healing. */
    public static final String LOST_CLAIM = "lost-claim";
    /** A claim name shows up in a read invoked after its release was acknowledged. */
    public static final String RESURRECTED = "resurrected";
    /** A read shows a claim before the claim was even requested. */
    public static final String PHANTOM = "phantom";
    /** Nodes disagree on a pool's state after healing. */
    public static final String DIVERGENCE = "divergence";
    /** No order of the pool's operations explains what the clients saw. */
    public static final String NONLINEARIZABLE = "nonlinearizable";
}
