package dev.ipam.cli;

import dev.ipam.server.backup.BackupFile;
import dev.ipam.server.backup.Restore;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ipamctl backup create|verify|restore}: a consistent backup of a running cluster, and the
 * seeding of a NEW cluster's empty data directories from it (see ops/OPERATIONS.md).
 */
@Command(name = "backup", description = "Back up a running cluster; seed a new cluster from a backup.")
final class BackupCommand {
    @ParentCommand
    Ipamctl root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** At most one progress line per this many milliseconds on stderr. */
    static final long PROGRESS_INTERVAL_MS = 1000;

    @Command(name = "create", description = {"Stream a consistent backup (at a linearizable read point) into FILE.",
            "Written to FILE.tmp, checked whole (checksum, version), then renamed to FILE; progress on stderr."})
    int create(@Parameters(paramLabel = "FILE") Path file) throws IOException {
        Session session = root.session();
        Path partial = file.resolveSibling(file.getFileName() + ".tmp");
        long bytes;
        try (OutputStream out = new Progress(new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16),
                session.err, "backup " + file, PROGRESS_INTERVAL_MS)) {
            bytes = session.adminClient().cluster().backup(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        BackupFile.Header header;
        try {
            header = BackupFile.verify(partial);
        } catch (BackupFile.Invalid e) {
            Files.deleteIfExists(partial);
            session.err.println("ipamctl: the backup received is damaged, nothing written to " + file + ": " + e.getMessage());
            session.err.flush();
            return ExitCodes.ERROR;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        session.out.println("backup " + file + ": " + bytes + " bytes at log index " + header.logIndex()
                + ", format " + header.version() + ", sha256 " + header.sha256());
        session.out.flush();
        return ExitCodes.OK;
    }

    /** Counts what passes and reports it on stderr, at most once per {@code intervalMs}. */
    static final class Progress extends FilterOutputStream {
        private final PrintWriter err;
        private final String what;
        private final long intervalNanos;
        private final long startNanos = System.nanoTime();
        private long bytes;
        private long reportedAtNanos = startNanos;

        Progress(OutputStream out, PrintWriter err, String what, long intervalMs) {
            super(out);
            this.err = err;
            this.what = what;
            this.intervalNanos = intervalMs * 1_000_000;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            counted(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            counted(len);
        }

        private void counted(int n) {
            bytes += n;
            long now = System.nanoTime();
            if (now - reportedAtNanos >= intervalNanos) {
                reportedAtNanos = now;
                err.println(what + ": " + bytes + " bytes written (" + (now - startNanos) / 1_000_000_000 + " s)");
                err.flush();
            }
        }
    }

    @Command(name = "verify", description = "Check a backup file whole (length, checksum) without changing anything.")
    int verify(@Parameters(paramLabel = "FILE") Path file) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            BackupFile.Header header = BackupFile.verify(file);
            out.println("backup " + file + " is intact: log index " + header.logIndex() + ", format " + header.version()
                    + ", export " + header.exportBytes() + " bytes, sha256 " + header.sha256());
            out.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("ipamctl: " + e.getMessage());
            err.flush();
            return ExitCodes.INVALID;
        }
    }

    @Command(name = "restore", description = {"Seed the EMPTY data directory of one node of a NEW cluster from FILE.",
            "Run it for every node's data dir (same file), then start the nodes with their usual settings.",
            "Refused, with nothing changed, when the file is damaged or the directory holds anything."})
    int restore(@Parameters(paramLabel = "FILE") Path file,
                @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the node's data-dir setting") Path dataDir,
                @Option(names = "--group-name", defaultValue = "ipam", paramLabel = "NAME",
                        description = "the cluster's group-name setting (default ${DEFAULT-VALUE})") String groupName) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            err.println("restore " + file + ": checking it whole, then loading it into " + dataDir);
            err.flush();
            long[] reportedAtNanos = {System.nanoTime()};
            Restore.Restored restored = Restore.seed(file, dataDir, groupName, Restore.RESTORE_BATCH_BYTES_MAX, loadedBytes -> {
                long now = System.nanoTime();
                if (now - reportedAtNanos[0] >= PROGRESS_INTERVAL_MS * 1_000_000) {
                    reportedAtNanos[0] = now;
                    err.println("restore " + file + ": " + loadedBytes + " bytes of state loaded");
                    err.flush();
                }
            });
            out.println("restored " + file + " into " + dataDir + " at log index " + restored.logIndex()
                    + " (sha256 " + restored.sha256() + "); start the node on this data dir");
            out.flush();
            return ExitCodes.OK;
        } catch (BackupFile.Invalid e) {
            err.println("ipamctl: restore refused, nothing changed: " + e.getMessage());
            err.flush();
            return ExitCodes.INVALID;
        } catch (IOException | RuntimeException e) {
            err.println("ipamctl: restore refused, nothing changed: " + e.getMessage());
            err.flush();
            return ExitCodes.CONFLICT;
        }
    }
}
