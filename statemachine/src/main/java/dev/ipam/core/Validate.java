package dev.ipam.core;

import dev.ipam.core.Result.Reason;
import dev.ipam.core.alloc.Block;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.PoolSelector;
import dev.ipam.core.model.Project;
import dev.ipam.core.model.ReclaimPolicy;
import dev.ipam.core.model.Refs;
import dev.ipam.core.model.SelectorOperator;
import dev.ipam.core.model.Strategy;
import java.util.SortedMap;

/**
 * Stateless validation of commands (run by {@link Ipam#check} on the leader and again in apply) and
 * the defaults filled into specs. Each method returns null when valid, else the rejection.
 */
final class Validate {
    static final int MATCH_EXPRESSIONS_MAX = 32;
    static final int SELECTOR_VALUES_MAX = 64;
    static final int ALLOWED_PROJECTS_MAX = 1000;
    static final int ACTOR_LENGTH_MAX = 1024;

    private Validate() {
    }

    static Result invalid(String field, String message) {
        return Result.rejected(Reason.Invalid, field, field + ": " + message);
    }

    static Result required(String field) {
        return new Result(422, Reason.Invalid, field + ": Required value", java.util.List.of(
                new Result.Cause("FieldValueRequired", field, "Required value")), null, java.util.List.of());
    }

    static Result badRequest(String field, String message) {
        return Result.rejected(Reason.BadRequest, field, message);
    }

    static Result meta(String actor, String name, SortedMap<String, String> labels,
                       SortedMap<String, String> annotations) {
        if (actor == null || actor.length() > ACTOR_LENGTH_MAX) {
            return badRequest("actor", "actor must be set and at most " + ACTOR_LENGTH_MAX + " characters");
        }
        String problem = Names.subdomain(name);
        if (problem != null) {
            return invalid("metadata.name", problem);
        }
        problem = Names.labels(labels);
        if (problem != null) {
            return invalid("metadata.labels", problem);
        }
        problem = Names.annotations(annotations);
        if (problem != null) {
            return invalid("metadata.annotations", problem);
        }
        return null;
    }

    static Result namespace(String namespace) {
        String problem = Names.dnsLabel(namespace);
        return problem == null ? null : invalid("metadata.namespace", problem);
    }

    static Result project(String project) {
        String problem = Names.subdomain(project);
        return problem == null ? null : Result.rejected(Reason.NotFound, "projects \"" + project + "\" not found");
    }

    // ------------------------------------------------------------------ projects

    static Result projectSpec(Project.ProjectSpec spec) {
        if (spec == null || spec.quota() == null) {
            return null;
        }
        Project.Quota quota = spec.quota();
        if (quota.claims() != null && quota.claims() < 0) {
            return invalid("spec.quota.claims", "must be >= 0, was " + quota.claims());
        }
        if (quota.ipv4Addresses() != null && quota.ipv4Addresses() < 0) {
            return invalid("spec.quota.ipv4Addresses", "must be >= 0, was " + quota.ipv4Addresses());
        }
        return null;
    }

    // ------------------------------------------------------------------ pools

    /** The spec with defaults filled (allocation settings, strategy FirstFit, prefixLength from spec.cidr). */
    static IPPool.Spec defaults(IPPool.Spec spec) {
        IPPool.AllocationSettings allocation = spec.allocation();
        if (allocation == null) {
            allocation = new IPPool.AllocationSettings(null, null, Strategy.FirstFit);
        } else if (allocation.strategy() == null) {
            allocation = new IPPool.AllocationSettings(allocation.minPrefixLength(), allocation.maxPrefixLength(),
                    Strategy.FirstFit);
        }
        Integer prefixLength = spec.prefixLength();
        if (prefixLength == null && spec.cidr() != null) {
            Block.Parsed parsed = Block.parse(spec.cidr());
            if (parsed.block() != null) {
                prefixLength = parsed.block().length();
            }
        }
        return new IPPool.Spec(spec.cidr(), spec.ipFamily(), spec.parentPoolRef(), prefixLength, allocation,
                spec.visibility(), spec.allowedProjects());
    }

    /** Stateless checks of a pool spec (bounds that need the parent's family are checked in apply). */
    static Result poolSpec(IPPool.Spec spec) {
        if (spec == null) {
            return required("spec");
        }
        boolean child = spec.parentPoolRef() != null;
        if (child) {
            String problem = Names.subdomain(spec.parentPoolRef().name());
            if (problem != null) {
                return invalid("spec.parentPoolRef.name", problem);
            }
            if (spec.prefixLength() == null && spec.cidr() == null) {
                return required("spec.prefixLength");
            }
        } else {
            if (spec.cidr() == null) {
                return required("spec.cidr");
            }
            if (spec.ipFamily() == null) {
                return required("spec.ipFamily");
            }
        }
        if (spec.cidr() != null) {
            Block.Parsed parsed = Block.parse(spec.cidr());
            if (parsed.block() == null) {
                return invalid("spec.cidr", parsed.problem());
            }
            Block block = parsed.block();
            if (block.length() == 0) {
                return invalid("spec.cidr", "a /0 pool is not supported (pool sizes are counted in 128 bits);"
                        + " create two /1 pools instead");
            }
            if (spec.ipFamily() != null && spec.ipFamily() != block.family()) {
                return badRequest("spec.ipFamily", "spec.ipFamily=" + spec.ipFamily() + " does not match spec.cidr="
                        + spec.cidr() + " (" + block.family() + ")");
            }
            if (spec.prefixLength() != null && spec.prefixLength() != block.length()) {
                return invalid("spec.prefixLength", "must equal the length of spec.cidr (" + block.length()
                        + "), was " + spec.prefixLength());
            }
        }
        if (spec.prefixLength() != null && (spec.prefixLength() < 1 || spec.prefixLength() > 128)) {
            return invalid("spec.prefixLength", "must be between 1 and 128, was " + spec.prefixLength());
        }
        if (spec.ipFamily() != null && spec.prefixLength() != null && spec.prefixLength() > spec.ipFamily().bits) {
            return invalid("spec.prefixLength", "must be between 1 and " + spec.ipFamily().bits + " for "
                    + spec.ipFamily() + ", was " + spec.prefixLength());
        }
        IPPool.AllocationSettings allocation = spec.allocation();
        if (allocation != null && allocation.minPrefixLength() != null && allocation.maxPrefixLength() != null
                && allocation.minPrefixLength() > allocation.maxPrefixLength()) {
            return invalid("spec.allocation.minPrefixLength", "must be <= spec.allocation.maxPrefixLength ("
                    + allocation.maxPrefixLength() + "), was " + allocation.minPrefixLength());
        }
        if (spec.allowedProjects().size() > ALLOWED_PROJECTS_MAX) {
            return invalid("spec.allowedProjects", "at most " + ALLOWED_PROJECTS_MAX + " entries");
        }
        for (String project : spec.allowedProjects()) {
            if (!"*".equals(project) && Names.subdomain(project) != null) {
                return invalid("spec.allowedProjects", "\"" + project + "\" is neither a project name nor \"*\"");
            }
        }
        return null;
    }

    /** Checks min/max bounds against the pool's block (known in apply for child pools). */
    static Result poolBounds(IPPool.AllocationSettings allocation, int poolLength, IPFamily family) {
        if (allocation == null) {
            return null;
        }
        if (allocation.minPrefixLength() != null
                && (allocation.minPrefixLength() < poolLength || allocation.minPrefixLength() > family.bits)) {
            return invalid("spec.allocation.minPrefixLength", "must be between the pool's prefix length ("
                    + poolLength + ") and " + family.bits + ", was " + allocation.minPrefixLength());
        }
        if (allocation.maxPrefixLength() != null
                && (allocation.maxPrefixLength() < poolLength || allocation.maxPrefixLength() > family.bits)) {
            return invalid("spec.allocation.maxPrefixLength", "must be between the pool's prefix length ("
                    + poolLength + ") and " + family.bits + ", was " + allocation.maxPrefixLength());
        }
        return null;
    }

    // ------------------------------------------------------------------ claims

    /** The spec with defaults filled: reclaimPolicy Delete, prefixLength from spec.cidr. */
    static IPClaim.Spec defaults(IPClaim.Spec spec) {
        Integer prefixLength = spec.prefixLength();
        if (prefixLength == null && spec.cidr() != null) {
            Block.Parsed parsed = Block.parse(spec.cidr());
            if (parsed.block() != null) {
                prefixLength = parsed.block().length();
            }
        }
        ReclaimPolicy policy = spec.reclaimPolicy() == null ? ReclaimPolicy.Delete : spec.reclaimPolicy();
        return new IPClaim.Spec(spec.ipFamily(), prefixLength, spec.poolRef(), spec.poolSelector(), spec.cidr(),
                spec.ownerRef(), policy);
    }

    static Result claimSpec(IPClaim.Spec spec) {
        if (spec == null) {
            return required("spec");
        }
        if (spec.ipFamily() == null) {
            return required("spec.ipFamily");
        }
        if (spec.poolRef() != null && spec.poolSelector() != null) {
            return invalid("spec.poolSelector", "may not be set together with spec.poolRef (exactly one of"
                    + " spec.poolRef and spec.poolSelector)");
        }
        if (spec.poolRef() == null && spec.poolSelector() == null) {
            return invalid("spec.poolRef", "exactly one of spec.poolRef and spec.poolSelector is required");
        }
        if (spec.poolRef() != null) {
            String problem = Names.subdomain(spec.poolRef().name());
            if (problem != null) {
                return invalid("spec.poolRef.name", problem);
            }
            Result projectRef = projectRef(spec.poolRef().projectRef(), "spec.poolRef.projectRef.name");
            if (projectRef != null) {
                return projectRef;
            }
        }
        if (spec.poolSelector() != null) {
            Result selector = selector(spec.poolSelector());
            if (selector != null) {
                return selector;
            }
        }
        Block cidr = null;
        if (spec.cidr() != null) {
            Block.Parsed parsed = Block.parse(spec.cidr());
            if (parsed.block() == null) {
                return invalid("spec.cidr", parsed.problem());
            }
            cidr = parsed.block();
            if (cidr.family() != spec.ipFamily()) {
                return badRequest("spec.cidr", "spec.cidr=" + spec.cidr() + " is " + cidr.family()
                        + " but spec.ipFamily=" + spec.ipFamily());
            }
        }
        if (spec.prefixLength() == null) {
            return cidr == null ? required("spec.prefixLength") : null;
        }
        int bits = spec.ipFamily().bits;
        if (spec.prefixLength() < 1 || spec.prefixLength() > bits) {
            return invalid("spec.prefixLength", "must be between 1 and " + bits + " for " + spec.ipFamily()
                    + ", was " + spec.prefixLength());
        }
        if (cidr != null && cidr.length() != spec.prefixLength()) {
            return invalid("spec.prefixLength", "must equal the length of spec.cidr (" + cidr.length() + "), was "
                    + spec.prefixLength());
        }
        return null;
    }

    private static Result projectRef(Refs.ProjectRef ref, String field) {
        if (ref == null) {
            return null;
        }
        String problem = Names.subdomain(ref.name());
        return problem == null ? null : invalid(field, problem);
    }

    private static Result selector(PoolSelector selector) {
        String problem = Names.labels(selector.matchLabels());
        if (problem != null) {
            return invalid("spec.poolSelector.matchLabels", problem);
        }
        if (selector.matchExpressions().size() > MATCH_EXPRESSIONS_MAX) {
            return invalid("spec.poolSelector.matchExpressions", "at most " + MATCH_EXPRESSIONS_MAX + " expressions");
        }
        for (int i = 0; i < selector.matchExpressions().size(); i++) {
            PoolSelector.Requirement requirement = selector.matchExpressions().get(i);
            String field = "spec.poolSelector.matchExpressions[" + i + "]";
            problem = Names.labelKey(requirement.key());
            if (problem != null) {
                return invalid(field + ".key", problem);
            }
            if (requirement.operator() == null) {
                return required(field + ".operator");
            }
            boolean needsValues = requirement.operator() == SelectorOperator.In
                    || requirement.operator() == SelectorOperator.NotIn;
            if (needsValues && requirement.values().isEmpty()) {
                return invalid(field + ".values", "must be specified when operator is " + requirement.operator());
            }
            if (!needsValues && !requirement.values().isEmpty()) {
                return invalid(field + ".values", "may not be specified when operator is " + requirement.operator());
            }
            if (requirement.values().size() > SELECTOR_VALUES_MAX) {
                return invalid(field + ".values", "at most " + SELECTOR_VALUES_MAX + " values");
            }
            for (String value : requirement.values()) {
                problem = Names.labelValue(value);
                if (problem != null) {
                    return invalid(field + ".values", problem);
                }
            }
        }
        return projectRef(selector.projectRef(), "spec.poolSelector.projectRef.name");
    }

    /** Whether a pool's labels satisfy a selector (matchLabels and every expression). */
    static boolean matches(PoolSelector selector, SortedMap<String, String> labels) {
        for (var entry : selector.matchLabels().entrySet()) {
            if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        for (PoolSelector.Requirement requirement : selector.matchExpressions()) {
            String value = labels.get(requirement.key());
            boolean ok = switch (requirement.operator()) {
                case In -> value != null && requirement.values().contains(value);
                case NotIn -> value == null || !requirement.values().contains(value);
                case Exists -> value != null;
                case DoesNotExist -> value == null;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Stateless validation of a whole command: null when it may be logged. */
    static Result command(Command command) {
        if (command instanceof Command.CreateProject c) {
            return first(meta(c.actor(), c.name(), c.labels(), c.annotations()), projectSpec(c.spec()));
        } else if (command instanceof Command.UpdateProject c) {
            return first(meta(c.actor(), c.name(), c.labels(), c.annotations()), projectSpec(c.spec()));
        } else if (command instanceof Command.DeleteProject c) {
            return meta(c.actor(), c.name(), null, null);
        } else if (command instanceof Command.CreatePool c) {
            return first(project(c.project()), meta(c.actor(), c.name(), c.labels(), c.annotations()),
                    poolSpec(c.spec()));
        } else if (command instanceof Command.UpdatePool c) {
            return first(project(c.project()), meta(c.actor(), c.name(), c.labels(), c.annotations()),
                    c.spec() == null ? null : poolSpec(c.spec()));
        } else if (command instanceof Command.DeletePool c) {
            return first(project(c.project()), meta(c.actor(), c.name(), null, null));
        } else if (command instanceof Command.CreateClaim c) {
            return first(project(c.project()), namespace(c.namespace()),
                    meta(c.actor(), c.name(), c.labels(), c.annotations()), claimSpec(c.spec()));
        } else if (command instanceof Command.UpdateClaim c) {
            return first(project(c.project()), namespace(c.namespace()),
                    meta(c.actor(), c.name(), c.labels(), c.annotations()),
                    c.spec() == null ? null : claimSpec(c.spec()));
        } else if (command instanceof Command.DeleteClaim c) {
            return first(project(c.project()), namespace(c.namespace()), meta(c.actor(), c.name(), null, null));
        } else if (command instanceof Command.UpdateAllocation c) {
            return first(project(c.project()), namespace(c.namespace()),
                    meta(c.actor(), c.name(), c.labels(), c.annotations()));
        } else if (command instanceof Command.DeleteAllocation c) {
            return first(project(c.project()), namespace(c.namespace()), meta(c.actor(), c.name(), null, null));
        }
        throw new IllegalStateException("unhandled command " + command.getClass());
    }

    private static Result first(Result... results) {
        for (Result result : results) {
            if (result != null) {
                return result;
            }
        }
        return null;
    }
}
