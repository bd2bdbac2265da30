package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** A project's limits ({@code spec.quota}) or usage ({@code status.usage}): live claims and IPv4 addresses. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Quota(Long claims, Long ipv4Addresses) {
}
