package dev.ipam.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The Raft group as one node sees it ({@code GET /admin/cluster}). A member's {@code role} is
 * LEADER, FOLLOWER, CANDIDATE, LISTENER or UNKNOWN.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(String groupId, String self, String leaderId, Long term, Long commitIndex,
                            Long appliedIndex, List<Member> members) {

    /** One member of the group. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Member(String id, String raftAddress, String httpAddress, String role,
                         Long matchIndex, Long lastContactMs) {
    }
}
