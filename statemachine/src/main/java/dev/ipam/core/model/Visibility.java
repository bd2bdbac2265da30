package dev.ipam.core.model;

/** Who may claim from a pool: {@code shared} opens it to the projects listed in spec.allowedProjects. */
public enum Visibility {
    platform, consumer, shared
}
