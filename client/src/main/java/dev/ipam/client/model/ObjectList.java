package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One page of a list: the items, and in {@code metadata} the resourceVersion and continue token. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectList<T>(String apiVersion, String kind, ListMeta metadata, List<T> items) {

    /** The items, never null. */
    public List<T> itemsOrEmpty() {
        return items == null ? List.of() : items;
    }

    /** The token for the next page, or null on the last page. */
    public String continueToken() {
        if (metadata == null || metadata.continueToken() == null || metadata.continueToken().isEmpty()) {
            return null;
        }
        return metadata.continueToken();
    }

    /** The resourceVersion the list was read at (a watch from it sees every later change). */
    public String resourceVersion() {
        return metadata == null ? null : metadata.resourceVersion();
    }
}
