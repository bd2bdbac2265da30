package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A pool's state as the server computed it: {@code phase} (Pending, Ready, Exhausted, Error), the
 * block it covers, counts, the longest free prefix length that still fits ({@code largestFreePrefix},
 * 0 when exhausted) and the share of its addresses in use.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPPoolStatus(String phase, String allocatedCIDR, String ipFamily, Capacity capacity,
                           Integer largestFreePrefix, Double utilizationPercent,
                           List<Condition> conditions) {
}
