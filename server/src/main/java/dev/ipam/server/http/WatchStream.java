package dev.ipam.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipam.core.model.Resource;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * One watch's response body: a stream of {@code {"type":..,"object":..}} lines (the Kubernetes watch
 * encoding), with the object as JSON, a one-row Table or metadata only, as the client asked.
 */
final class WatchStream implements WatchHub.Sink {
    private final Wire wire;
    private final Kind kind;
    private final Format format;
    private final Predicate<Resource> filter;
    private final String includeObject;
    private volatile Exchange.Stream stream;

    WatchStream(Wire wire, Kind kind, Format format, Predicate<Resource> filter, String includeObject) {
        this.wire = wire;
        this.kind = kind;
        this.format = format;
        this.filter = filter;
        this.includeObject = includeObject;
    }

    void attach(Exchange.Stream stream) {
        this.stream = stream;
    }

    @Override
    public boolean deliver(List<WatchHub.Event> events) {
        Exchange.Stream out = stream;
        if (out == null || !out.open()) {
            return false;
        }
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        for (WatchHub.Event event : events) {
            String type = typeSeen(event);
            if (type == null) {
                continue;
            }
            ObjectNode line = wire.object();
            line.put("type", type);
            line.set("object", render(event.object()));
            chunk.writeBytes(wire.write(line, false));
            chunk.write('\n');
        }
        if (chunk.size() > 0) {
            out.write(chunk.toByteArray());
        }
        return out.open();
    }

    /**
     * The event as this watch's selectors see it: a change that makes an object match is ADDED, one
     * that makes it stop matching is DELETED, one that leaves it outside is not sent (null).
     */
    private String typeSeen(WatchHub.Event event) {
        boolean now = filter.test(event.resource);
        if (!event.type.equals("MODIFIED")) {
            return now ? event.type : null;
        }
        // No previous object: the change left the labels and the phase alone, so it matched as it does now.
        boolean before = event.previous == null ? now : filter.test(event.previous);
        if (now) {
            return before ? "MODIFIED" : "ADDED";
        }
        return before ? "DELETED" : null;
    }

    private JsonNode render(ObjectNode object) {
        return switch (format) {
            case TABLE -> Tables.table(wire, kind, List.of(object), Tables.text(object, "metadata.resourceVersion"), null,
                    includeObject, Instant.now());
            case PARTIAL -> Tables.partial(wire, object);
            default -> object;
        };
    }

    @Override
    public boolean bookmark(long index) {
        return bookmark(index, false);
    }

    /**
     * The bookmark that ends the initial events of a {@code sendInitialEvents=true} watch, at the
     * index of the state they showed (annotated {@code k8s.io/initial-events-end: "true"}).
     */
    boolean initialEventsEnd(long index) {
        return bookmark(index, true);
    }

    private boolean bookmark(long index, boolean initialEventsEnd) {
        Exchange.Stream out = stream;
        if (out == null || !out.open()) {
            return false;
        }
        ObjectNode line = wire.object();
        line.put("type", "BOOKMARK");
        ObjectNode object = line.putObject("object");
        object.put("kind", kind.kind);
        object.put("apiVersion", kind.apiVersion());
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(index));
        if (initialEventsEnd) {
            metadata.putObject("annotations").put(ReadVersions.INITIAL_EVENTS_END, "true");
        }
        byte[] bytes = wire.write(line, false);
        byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        withNewline[bytes.length] = '\n';
        out.write(withNewline);
        return out.open();
    }

    @Override
    public boolean ready() {
        Exchange.Stream out = stream;
        return out == null || out.writable() || !out.open();
    }

    @Override
    public void whenReady(Runnable action) {
        Exchange.Stream out = stream;
        if (out == null) {
            action.run();
        } else {
            out.whenWritable(action);
        }
    }

    @Override
    public void end(String why) {
        Exchange.Stream out = stream;
        if (out != null) {
            out.end();
        }
    }
}
