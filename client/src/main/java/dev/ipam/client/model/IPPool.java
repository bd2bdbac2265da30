package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** An IPPool ({@code ipam.miloapis.com/v1alpha1}): a block of address space claims are carved from. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPPool(String apiVersion, String kind, ObjectMeta metadata, IPPoolSpec spec,
                     IPPoolStatus status) implements ApiObject {

    /** The apiVersion every IPAM kind carries. */
    public static final String API_VERSION = "ipam.miloapis.com/v1alpha1";

    /** A new pool to create: name and spec, no status. */
    public static IPPool of(String name, IPPoolSpec spec) {
        return new IPPool(API_VERSION, "IPPool", ObjectMeta.named(name, null), spec, null);
    }

    /** A copy with these labels. */
    public IPPool withLabels(java.util.Map<String, String> labels) {
        return new IPPool(apiVersion, kind, metadata.withLabels(labels), spec, status);
    }
}
