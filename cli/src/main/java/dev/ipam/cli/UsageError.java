package dev.ipam.cli;

/**
 * A command line that cannot be carried out as written: the message names the flag and the fix.
 * Exits with {@link ExitCodes#USAGE}, or another code when a more specific class applies (a
 * manifest that fails validation is {@link ExitCodes#INVALID}).
 */
public final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    /** A usage error (exit 2). */
    public UsageError(String message) {
        this(message, ExitCodes.USAGE);
    }

    /** An error of the given exit class. */
    public UsageError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The exit code this error ends the command with. */
    public int exitCode() {
        return exitCode;
    }
}
