package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** A pool's address counts; saturate at {@link Long#MAX_VALUE} for large IPv6 pools. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Capacity(Long total, Long allocated, Long available) {
}
