package dev.ipam.server.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per log event on one line, for log shippers: {@code ts}, {@code level},
 * {@code logger}, {@code thread}, {@code msg}, then {@code node} and {@code term} (from the logging
 * context, set by ipamd) and every MDC entry ({@code requestId} on HTTP workers), and
 * {@code error} with a bounded stack trace.
 *
 * <p>Written here (60 lines on Jackson's string quoting, already on the class path) rather than
 * pulling logstash-logback-encoder and its dependency tree for one line format.
 */
public final class JsonEncoder extends EncoderBase<ILoggingEvent> {
    /** Stack frames written per exception (and per cause): enough to find the site, bounded per line. */
    public static final int STACK_FRAMES_MAX = 30;
    /** Causes followed at most. */
    public static final int CAUSES_MAX = 5;
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        field(out, "level", event.getLevel().toString());
        field(out, "logger", event.getLoggerName());
        field(out, "thread", event.getThreadName());
        field(out, "msg", event.getFormattedMessage());
        Map<String, String> context = event.getLoggerContextVO() == null ? Map.of() : event.getLoggerContextVO().getPropertyMap();
        for (String key : new String[] {"node", "term"}) {
            String value = context.get(key);
            if (value != null) {
                field(out, key, value);
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            for (Map.Entry<String, String> entry : new TreeMap<>(mdc).entrySet()) {
                field(out, entry.getKey(), entry.getValue());
            }
        }
        if (event.getThrowableProxy() != null) {
            field(out, "error", throwable(event.getThrowableProxy()));
        }
        out.setLength(out.length() - 1);
        out.append("}\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append('"').append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value == null ? "" : value, out);
        out.append("\",");
    }

    private static String throwable(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        IThrowableProxy current = proxy;
        for (int depth = 0; current != null && depth < CAUSES_MAX; depth++, current = current.getCause()) {
            if (depth > 0) {
                text.append("\ncaused by: ");
            }
            text.append(current.getClassName()).append(": ").append(current.getMessage());
            StackTraceElementProxy[] frames = current.getStackTraceElementProxyArray();
            for (int i = 0; frames != null && i < Math.min(frames.length, STACK_FRAMES_MAX); i++) {
                text.append("\n\tat ").append(frames[i].getStackTraceElement());
            }
        }
        return text.toString();
    }
}
