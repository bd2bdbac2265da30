package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An IPAllocation: the record of a block carved from a pool for a claim. Written only by the
 * server; its name is derived from the claim's namespace and name.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPAllocation(String apiVersion, String kind, ObjectMeta metadata, IPAllocationSpec spec,
                           IPAllocationStatus status) implements ApiObject {

    /** The block recorded, or null. */
    public String cidr() {
        return status == null ? null : status.allocatedCIDR();
    }
}
