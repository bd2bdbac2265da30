package dev.ipam.client;

import dev.ipam.client.model.Status;
import java.util.List;

/**
 * An error from the IPAM API or from reaching it. {@link #reason()} classifies it (what a caller
 * branches on); {@link #code()} is the HTTP status (0 when no answer came back);
 * {@link #kubernetesReason()} and {@link #causes()} are the server's {@code Status} as sent.
 */
public class IpamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, one value per way a caller may want to react. */
    public enum Reason {
        /** 400: malformed request, family mismatch, no pool matches the selector. */
        BAD_REQUEST,
        /** 401: no or unknown credentials. */
        UNAUTHORIZED,
        /** 403: the identity may not do this. */
        FORBIDDEN,
        /** 404: the object (or the project) does not exist. */
        NOT_FOUND,
        /** 409 AlreadyExists: an object of that name exists. */
        ALREADY_EXISTS,
        /** 409 Conflict: stale resourceVersion, bound allocation, pool in use. */
        CONFLICT,
        /** 410: a watch asked for history the server no longer keeps. */
        GONE,
        /** 413 or a client-side size limit: a request or response too large. */
        TOO_LARGE,
        /** 422: a field failed validation ({@link #causes()} names it). */
        INVALID,
        /** 429: over a quota or a rate limit. */
        TOO_MANY_REQUESTS,
        /** 507: the pool has no free block that fits. */
        EXHAUSTED,
        /** 503, connection failures, timeouts: no node could answer in time. */
        UNAVAILABLE,
        /** A wait ran out of time before its condition held. */
        TIMEOUT,
        /** 500 or an answer the client could not read. */
        INTERNAL,
        /** Any other status code. */
        UNKNOWN
    }

    private final Reason reason;
    private final int code;
    private final String kubernetesReason;
    private final String name;
    private final String kind;
    private final List<Status.Cause> causes;

    /** An error with every fact known about it. */
    public IpamException(Reason reason, int code, String kubernetesReason, String message, String name,
                         String kind, List<Status.Cause> causes, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.code = code;
        this.kubernetesReason = kubernetesReason;
        this.name = name;
        this.kind = kind;
        this.causes = causes == null ? List.of() : List.copyOf(causes);
    }

    /** A client-side error: no HTTP answer behind it. */
    public IpamException(Reason reason, String message, Throwable cause) {
        this(reason, 0, null, message, null, null, null, cause);
    }

    /** The error a server's answer describes, from its HTTP code and Status body (may be null). */
    public static IpamException fromStatus(int code, Status status, String fallbackMessage) {
        String k8sReason = status == null ? null : status.reason();
        String message = status != null && status.message() != null ? status.message() : fallbackMessage;
        Status.Details details = status == null ? null : status.details();
        return new IpamException(classify(code, k8sReason), code, k8sReason, message,
                details == null ? null : details.name(), details == null ? null : details.kind(),
                details == null ? null : details.causes(), null);
    }

    /** The reason an HTTP code (and Kubernetes reason, for 409) stands for. */
    public static Reason classify(int code, String kubernetesReason) {
        switch (code) {
            case 400: return Reason.BAD_REQUEST;
            case 401: return Reason.UNAUTHORIZED;
            case 403: return Reason.FORBIDDEN;
            case 404: return Reason.NOT_FOUND;
            case 409: return "AlreadyExists".equals(kubernetesReason) ? Reason.ALREADY_EXISTS : Reason.CONFLICT;
            case 410: return Reason.GONE;
            case 413: return Reason.TOO_LARGE;
            case 422: return Reason.INVALID;
            case 429: return Reason.TOO_MANY_REQUESTS;
            case 507: return Reason.EXHAUSTED;
            case 502: case 503: case 504: return Reason.UNAVAILABLE;
            case 500: return Reason.INTERNAL;
            default: return Reason.UNKNOWN;
        }
    }

    /** How to react: the classification of this error. */
    public Reason reason() {
        return reason;
    }

    /** The HTTP status code, or 0 when no answer was received. */
    public int code() {
        return code;
    }

    /** The {@code reason} of the server's Status as sent ({@code NotFound}, {@code AlreadyExists}...), or null. */
    public String kubernetesReason() {
        return kubernetesReason;
    }

    /** The name of the object the error is about, when the server said. */
    public String name() {
        return name;
    }

    /** The kind of the object the error is about, when the server said. */
    public String kind() {
        return kind;
    }

    /** The fields at fault (for 422 and some 400), never null. */
    public List<Status.Cause> causes() {
        return causes;
    }
}
