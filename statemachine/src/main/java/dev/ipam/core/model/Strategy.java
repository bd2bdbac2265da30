package dev.ipam.core.model;

/** How a pool picks the block for a claim. Default FirstFit. */
public enum Strategy {
    /** The lowest-addressed free block that fits. */
    FirstFit,
    /** A block from the smallest free region that fits, lowest address among equals. */
    BestFit,
    /** Descend the prefix trie into the half with more free space that can still fit, lower half on ties. */
    LeastUtilized
}
