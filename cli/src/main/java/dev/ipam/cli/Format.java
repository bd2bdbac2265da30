package dev.ipam.cli;

/** The output formats of {@code -o}. */
public enum Format {
    /** Columns as kubectl prints them (the default). */
    table,
    /** The table with extra columns. */
    wide,
    /** The objects as JSON, as the server sent them. */
    json,
    /** The objects as YAML. */
    yaml,
    /** {@code kind.group/name}, one per line. */
    name
}
