package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A Kubernetes {@code Status}: how the server reports an error ({@code status: Failure}, a
 * machine-readable {@code reason}, the HTTP {@code code}) and, for validation, the fields at fault.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Status(String apiVersion, String kind, String status, String message, String reason,
                     Details details, Integer code) {

    /** What the error is about; {@code causes} name the fields for validation errors. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(String name, String group, String kind, List<Cause> causes,
                          Integer retryAfterSeconds) {
    }

    /** One reason for a rejection, usually naming a field ({@code spec.prefixLength}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cause(String field, String message, String reason) {
    }
}
