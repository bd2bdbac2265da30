package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A pool's {@code spec.allocation}: the prefix lengths claims may ask for (min &lt;= max) and the
 * strategy ({@code FirstFit} by default, {@code BestFit}, {@code LeastUtilized}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AllocationPolicy(Integer minPrefixLength, Integer maxPrefixLength, String strategy) {
}
