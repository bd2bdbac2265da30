package dev.ipam.server.metrics;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * The node id and current Raft term carried on every log line ({@code node}, {@code term} in JSON
 * logs). They are logging-context properties rather than MDC entries because Ratis and Netty log
 * from their own threads, where an MDC set by ipamd would be missing.
 */
final class LogContext {
    private LogContext() {
    }

    static void node(String id) {
        put("node", id);
    }

    static void term(long term) {
        put("term", Long.toString(term));
    }

    private static void put(String key, String value) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.putProperty(key, value);
        }
    }
}
