package dev.ipam.server.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Reads and changes logback logger levels at run time ({@code PUT /admin/log-level}). */
public final class LogLevels {
    public static final String ROOT = org.slf4j.Logger.ROOT_LOGGER_NAME;
    public static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", "INHERIT");
    /** Logger names are dotted Java identifiers; anything longer is a mistake, not a logger. */
    public static final int LOGGER_NAME_CHARS_MAX = 256;

    private LogLevels() {
    }

    /** The effective level of {@code logger}. */
    public static String level(String logger) {
        return logger(logger).getEffectiveLevel().toString();
    }

    /**
     * Sets {@code logger}'s level ({@code INHERIT} clears it so the parent's applies); returns the
     * effective level before the change.
     */
    public static String set(String logger, String level) {
        String upper = level.trim().toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(upper)) {
            throw new IllegalArgumentException("level '" + level + "' is not one of " + LEVELS);
        }
        if (logger.equalsIgnoreCase(ROOT) && upper.equals("INHERIT")) {
            throw new IllegalArgumentException("the ROOT logger has no parent to inherit from; give a level");
        }
        Logger target = logger(logger);
        String previous = target.getEffectiveLevel().toString();
        target.setLevel(upper.equals("INHERIT") ? null : Level.toLevel(upper));
        LoggerFactory.getLogger(LogLevels.class).info("log level of {} set to {} (was {})", target.getName(), upper, previous);
        return previous;
    }

    private static Logger logger(String name) {
        if (name.length() > LOGGER_NAME_CHARS_MAX || !name.matches("[A-Za-z0-9_.$-]+")) {
            throw new IllegalArgumentException("logger name '" + name + "' must be a dotted name of at most "
                    + LOGGER_NAME_CHARS_MAX + " characters");
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new UnsupportedOperationException("logging is not backed by logback; levels cannot be changed at run time");
        }
        return context.getLogger(name.equalsIgnoreCase(ROOT) ? ROOT : name);
    }
}
