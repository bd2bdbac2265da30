package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A pool by name, in the caller's project or, when {@code projectRef} is set, in that project
 * (which must share the pool with the caller).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolRef(String name, LocalRef projectRef) {

    /** A pool of the caller's own project. */
    public static PoolRef of(String name) {
        return new PoolRef(name, null);
    }
}
