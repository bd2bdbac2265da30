package dev.ipam.cli;

import dev.ipam.client.IpamException;

/**
 * The exit codes of ipamctl (API.md), one per way a script may want to react. Every failure the
 * server reports maps to exactly one of them through {@link #of(IpamException)}.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Any other error (unreadable answers, client-side limits, local I/O). */
    public static final int ERROR = 1;
    /** Bad command line: unknown flag, missing argument, flags that do not go together. */
    public static final int USAGE = 2;
    /** 401/403: no credentials, or the identity may not do this. */
    public static final int FORBIDDEN = 3;
    /** 404: the object, pool, project or context does not exist. */
    public static final int NOT_FOUND = 4;
    /** 409: the name is taken, the resourceVersion is stale, the pool or allocation is in use. */
    public static final int CONFLICT = 5;
    /** 400/422 and bad manifests: a field failed validation, the family does not match, no pool matches. */
    public static final int INVALID = 6;
    /** 507 (and 429): the pool has no free block that fits, or a quota or rate limit is reached. */
    public static final int EXHAUSTED = 7;
    /** 503, connection failures, timeouts: no node could answer. */
    public static final int UNAVAILABLE = 8;
    /** The command gave up before completing: a wait ran out of time, or it was interrupted. */
    public static final int ABORTED = 9;

    private ExitCodes() {
    }

    /** The exit code of a client-library error. */
    public static int of(IpamException error) {
        switch (error.reason()) {
            case UNAUTHORIZED:
            case FORBIDDEN:
                return FORBIDDEN;
            case NOT_FOUND:
                return NOT_FOUND;
            case ALREADY_EXISTS:
            case CONFLICT:
                return CONFLICT;
            case BAD_REQUEST:
            case INVALID:
                return INVALID;
            case EXHAUSTED:
            case TOO_MANY_REQUESTS:
                return EXHAUSTED;
            case UNAVAILABLE:
                return UNAVAILABLE;
            case TIMEOUT:
                return ABORTED;
            default:
                return ERROR;
        }
    }
}
