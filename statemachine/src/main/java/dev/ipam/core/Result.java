package dev.ipam.core;

import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.Resource;
import java.util.List;

/**
 * The outcome of one command: what the HTTP layer answers and what watchers see.
 *
 * @param code HTTP status (200, 201, or the rejection's code)
 * @param reason the Kubernetes Status reason; null on success
 * @param message the facts, e.g. {@code pool=web-tier prefixLength=24 largestFreePrefix=25}; "" on success
 * @param causes field-level details (Status details.causes); empty unless a field is at fault
 * @param object the object created, updated or deleted (as last stored); null on rejection
 * @param changes every object change made, in order, each carrying the object after the change
 *                (resourceVersion = the log index; for DELETED the last state); empty on rejection
 */
public record Result(int code, Reason reason, String message, List<Cause> causes, Resource object,
                     List<Change> changes) {
    public Result {
        message = message == null ? "" : message;
        causes = causes == null ? List.of() : List.copyOf(causes);
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public boolean ok() {
        return code < 300;
    }

    /** A result's code and reason alone ({@link Codec#decodeOutcome}): what counters need. */
    public record Outcome(int code, Reason reason) {
        public boolean ok() {
            return code < 300;
        }
    }

    /** A rejection with no field at fault. */
    public static Result rejected(Reason reason, String message) {
        return new Result(reason.code, reason, message, List.of(), null, List.of());
    }

    /** A rejection naming the field at fault. */
    public static Result rejected(Reason reason, String field, String message) {
        return new Result(reason.code, reason, message, List.of(new Cause(reason.causeType, field, message)),
                null, List.of());
    }

    /**
     * A field-level problem (Kubernetes StatusCause).
     *
     * @param type FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden...
     */
    public record Cause(String type, String field, String message) {
    }

    /**
     * One watch event.
     *
     * @param previous for MODIFIED, the object before the change, so that a watch with a selector can
     *     tell an object that stopped or started matching (DELETED, ADDED for it); null for ADDED and
     *     DELETED, and for status rewrites that keep the labels and the phase (pool counters, project
     *     usage): what a selector sees did not change
     */
    public record Change(ChangeType type, Resource object, Resource previous) {
        public Change(ChangeType type, Resource object) {
            this(type, object, null);
        }
    }

    /** Kubernetes Status reasons with their HTTP codes. */
    public enum Reason {
        BadRequest(400, "FieldValueInvalid"),
        Forbidden(403, "FieldValueForbidden"),
        NotFound(404, "FieldValueNotFound"),
        AlreadyExists(409, "FieldValueDuplicate"),
        Conflict(409, "FieldValueInvalid"),
        Invalid(422, "FieldValueInvalid"),
        TooManyRequests(429, "FieldValueForbidden"),
        InsufficientStorage(507, "FieldValueInvalid");

        public final int code;
        /** The StatusCause type used when this reason names a field. */
        public final String causeType;

        Reason(int code, String causeType) {
            this.code = code;
            this.causeType = causeType;
        }
    }
}
