package dev.ipam.cli;

import dev.ipam.client.IpamException;
import dev.ipam.client.model.Status;
import java.io.PrintWriter;

/** How errors read on stderr: kubectl's {@code Error from server (Reason): message}, then the fields at fault. */
final class Errors {
    private Errors() {
    }

    /** Prints the error and returns its exit code. */
    static int report(PrintWriter err, IpamException e) {
        if (e.code() > 0) {
            String reason = e.kubernetesReason() != null ? e.kubernetesReason() : e.reason().name();
            err.println("Error from server (" + reason + "): " + e.getMessage());
        } else {
            err.println("error: " + e.getMessage());
        }
        for (Status.Cause cause : e.causes()) {
            err.println("  " + (cause.field() == null ? "" : cause.field() + ": ") + (cause.message() == null ? "" : cause.message()));
        }
        err.flush();
        return ExitCodes.of(e);
    }
}
