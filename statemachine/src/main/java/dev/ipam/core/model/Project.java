package dev.ipam.core.model;

/** A tenant (kind Project, group resourcemanager.miloapis.com), created by a cluster administrator. */
public record Project(ObjectMeta metadata, ProjectSpec spec, ProjectStatus status) implements Resource {
    @Override
    public Kind kind() {
        return Kind.PROJECT;
    }

    @Override
    public String project() {
        return "";
    }

    /**
     * @param quota optional; null means no quota beyond the server's hard limits
     */
    public record ProjectSpec(Quota quota) {
    }

    /**
     * @param claims the most live claims of the project (null = unlimited)
     * @param ipv4Addresses the most IPv4 addresses held by the project's live claims (null = unlimited)
     */
    public record Quota(Long claims, Long ipv4Addresses) {
    }

    public record ProjectStatus(Usage usage, java.util.List<Condition> conditions) {
        public ProjectStatus {
            conditions = Immutable.list(conditions);
        }
    }

    /**
     * @param claims live claims
     * @param ipv4Addresses IPv4 addresses held by live claims
     * @param pools pools of the project (extension)
     */
    public record Usage(long claims, long ipv4Addresses, long pools) {
    }
}
