package dev.ipam.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The JSON encoding of the wire: unknown fields ignored on read, null fields left out on write.
 * One shared, thread-safe mapper.
 */
public final class Codec {
    /** The mapper every request and response goes through. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Codec() {
    }

    /** Encodes an object (a record or a JsonNode) as JSON bytes. */
    public static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.INTERNAL, "cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Decodes JSON bytes into the given type; a body that does not parse is an INTERNAL error. */
    public static <T> T decode(byte[] body, JavaType type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new IpamException(IpamException.Reason.INTERNAL,
                    "cannot read the server's answer as " + type.getRawClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes JSON bytes into the given class. */
    public static <T> T decode(byte[] body, Class<T> type) {
        return decode(body, JSON.constructType(type));
    }

    /** Converts between representations (a JsonNode to a record, a record to a JsonNode). */
    public static <T> T convert(Object value, Class<T> type) {
        return JSON.convertValue(value, type);
    }

    /** A record as a tree. */
    public static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }
}
