package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A claim's state: {@code phase} (Pending, Bound, Releasing, Error) and the block it holds. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPClaimStatus(String phase, String allocatedCIDR, LocalRef boundAllocationRef,
                            List<Condition> conditions) {
}
