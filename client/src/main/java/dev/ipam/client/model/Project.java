package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A Project ({@code resourcemanager.miloapis.com/v1alpha1}): the tenant every pool and claim lives
 * in. Created and deleted by a cluster administrator.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Project(String apiVersion, String kind, ObjectMeta metadata, ProjectSpec spec,
                      ProjectStatus status) implements ApiObject {

    /** The apiVersion of Project. */
    public static final String API_VERSION = "resourcemanager.miloapis.com/v1alpha1";

    /** A new project, with a quota or without one (null). */
    public static Project of(String name, Quota quota) {
        return new Project(API_VERSION, "Project", ObjectMeta.named(name, null),
                new ProjectSpec(quota), null);
    }
}
