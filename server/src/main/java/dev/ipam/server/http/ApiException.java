package dev.ipam.server.http;

import java.util.List;

/**
 * A request the API refuses, carrying the Kubernetes {@code Status} it answers with. Thrown only
 * while decoding a request inside this package (a malformed body is found deep in a parser) and
 * caught at the dispatch boundary; business rejections from the core arrive as result values and are
 * turned into the same Status without an exception.
 */
final class ApiException extends RuntimeException {
    final int code;
    final String reason;
    final List<Cause> causes;
    final String kind;
    final String name;

    ApiException(int code, String reason, String message, List<Cause> causes, String kind, String name) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.causes = causes;
        this.kind = kind;
        this.name = name;
    }

    /**
     * One field-level problem: {@code details.causes[]} of a Status. kubectl and ipamctl print a
     * cause as "field: message", so a message that begins with its field loses that prefix here
     * (the core's messages name their field for the Status' own message).
     */
    record Cause(String reason, String message, String field) {
        Cause {
            if (field != null && !field.isEmpty() && message != null && message.startsWith(field + ": ")) {
                message = message.substring(field.length() + 2);
            }
        }
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, List.of(), null, null);
    }

    static ApiException badField(String field, String message) {
        return new ApiException(400, "BadRequest", message,
                List.of(new Cause("FieldValueInvalid", message, field)), null, null);
    }

    static ApiException notFound(String kind, String name, String message) {
        return new ApiException(404, "NotFound", message, List.of(), kind, name);
    }

    static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, List.of(), null, null);
    }

    static ApiException notAcceptable(String message) {
        return new ApiException(406, "NotAcceptable", message, List.of(), null, null);
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "UnsupportedMediaType", message, List.of(), null, null);
    }

    static ApiException invalid(String kind, String name, String field, String message) {
        return new ApiException(422, "Invalid", kind + " \"" + name + "\" is invalid: " + field + ": " + message,
                List.of(new Cause("FieldValueInvalid", message, field)), kind, name);
    }

    static ApiException tooMany(String message) {
        return new ApiException(429, "TooManyRequests", message, List.of(), null, null);
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", message, List.of(), null, null);
    }
}
