package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** An IPClaim: a request for a block from a pool; created Bound, with the block in its status. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IPClaim(String apiVersion, String kind, ObjectMeta metadata, IPClaimSpec spec,
                      IPClaimStatus status) implements ApiObject {

    /** A new claim to create. */
    public static IPClaim of(String namespace, String name, IPClaimSpec spec) {
        return new IPClaim(IPPool.API_VERSION, "IPClaim", ObjectMeta.named(name, namespace), spec, null);
    }

    /** A copy with these labels. */
    public IPClaim withLabels(Map<String, String> labels) {
        return new IPClaim(apiVersion, kind, metadata.withLabels(labels), spec, status);
    }

    /** Whether the claim holds a block: phase Bound with an allocated CIDR. */
    @JsonIgnore
    public boolean isBound() {
        return status != null && "Bound".equals(status.phase()) && status.allocatedCIDR() != null;
    }

    /** The block this claim holds, or null while it holds none. */
    public String cidr() {
        return status == null ? null : status.allocatedCIDR();
    }
}
