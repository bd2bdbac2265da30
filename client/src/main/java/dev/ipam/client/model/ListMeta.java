package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A list's metadata: the applied index it was read at, and a token for the next page when the
 * list was cut by {@code limit}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListMeta(String resourceVersion, @JsonProperty("continue") String continueToken,
                       Long remainingItemCount) {
}
