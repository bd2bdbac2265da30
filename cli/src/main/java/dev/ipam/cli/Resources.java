package dev.ipam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.ipam.client.IpamClient;
import dev.ipam.client.IpamException;
import dev.ipam.client.Kind;
import dev.ipam.client.ListOptions;
import dev.ipam.client.ResourceClient;
import dev.ipam.client.Watch;
import dev.ipam.client.WatchListener;
import dev.ipam.client.model.WatchEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kubectl verbs on any kind (get, describe, delete, apply, create, diff, edit, wait, explain), as plain methods
 * that return an exit code. The picocli commands only decode flags and call these.
 */
final class Resources {
    /** Items per page when listing. */
    static final int CHUNK_SIZE_DEFAULT = 500;

    private final Session session;

    Resources(Session session) {
        this.session = session;
    }

    /** The verbs on a kind in the session's namespace (or every namespace). */
    ResourceClient<JsonNode> on(Kind kind, boolean allNamespaces) {
        IpamClient client = kind == Kind.PROJECT ? session.adminClient() : session.client();
        String namespace = kind.namespaced() && !allNamespaces ? session.namespace() : null;
        return client.resources(kind, namespace, JsonNode.class);
    }

    /** {@code get KIND [NAME...]}: the named objects, or a list by selectors. */
    int get(Targets targets, Output format, String labelSelector, String fieldSelector, boolean allNamespaces,
            boolean watch, Duration watchFor, int chunkSize) {
        Kind kind = targets.kind();
        boolean namespaceColumn = allNamespaces && kind.namespaced() && targets.names().isEmpty();
        ResourceClient<JsonNode> resources = on(kind, namespaceColumn);
        if (!targets.names().isEmpty()) {
            int code = ExitCodes.OK;
            List<JsonNode> items = new ArrayList<>();
            for (String name : targets.names()) {
                try {
                    items.add(resources.get(name));
                } catch (IpamException e) {
                    code = code == ExitCodes.OK ? Errors.report(session.err, e) : code;
                }
            }
            session.printer.objects(kind, items, format, false, targets.names().size() == 1);
            return code;
        }
        ListOptions options = ListOptions.all().withLabelSelector(labelSelector).withFieldSelector(fieldSelector).withLimit(chunkSize);
        if (watch) {
            return watch(resources, options, format, namespaceColumn, watchFor);
        }
        List<JsonNode> items = resources.listAll(options);
        if (items.isEmpty() && format.isTable()) {
            session.err.println(kind.namespaced() && !namespaceColumn
                    ? "No resources found in " + session.namespace() + " namespace." : "No resources found.");
            session.err.flush();
        }
        session.printer.objects(kind, items, format, namespaceColumn, false);
        return ExitCodes.OK;
    }

    private int watch(ResourceClient<JsonNode> resources, ListOptions options, Output format, boolean namespaceColumn,
                      Duration watchFor) {
        Kind kind = resources.kind();
        // Page through the list; the first page's resourceVersion is where the watch starts.
        var page = resources.list(options);
        String listVersion = page.resourceVersion();
        session.printer.objects(kind, page.itemsOrEmpty(), format, namespaceColumn, false);
        while (page.continueToken() != null) {
            page = resources.list(options.withContinue(page.continueToken()));
            page.itemsOrEmpty().forEach(item -> session.printer.row(kind, item, format, namespaceColumn));
        }
        CountDownLatch failed = new CountDownLatch(1);
        AtomicReference<IpamException> error = new AtomicReference<>();
        WatchListener<JsonNode> listener = new WatchListener<>() {
            @Override
            public void onEvent(WatchEvent<JsonNode> event) {
                synchronized (session.out) {
                    session.printer.row(kind, event.object(), format, namespaceColumn);
                }
            }

            @Override
            public void onError(IpamException e) {
                error.set(e);
                failed.countDown();
            }
        };
        try (Watch<JsonNode> watch = resources.watch(options.withLimit(null).withResourceVersion(listVersion), listener)) {
            boolean ended = watchFor.isZero() ? awaitForever(failed) : failed.await(watchFor.toMillis(), TimeUnit.MILLISECONDS);
            if (ended && error.get() != null) {
                return Errors.report(session.err, error.get());
            }
            return ExitCodes.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.ABORTED;
        }
    }

    private static boolean awaitForever(CountDownLatch latch) throws InterruptedException {
        latch.await();
        return true;
    }

    /** {@code describe KIND [NAME...]}. */
    int describe(Targets targets, String labelSelector, boolean allNamespaces) {
        Kind kind = targets.kind();
        ResourceClient<JsonNode> resources = on(kind, allNamespaces && targets.names().isEmpty());
        List<JsonNode> objects = new ArrayList<>();
        int code = ExitCodes.OK;
        if (targets.names().isEmpty()) {
            objects.addAll(resources.listAll(ListOptions.labels(labelSelector)));
        } else {
            for (String name : targets.names()) {
                try {
                    objects.add(resources.get(name));
                } catch (IpamException e) {
                    code = code == ExitCodes.OK ? Errors.report(session.err, e) : code;
                }
            }
        }
        boolean first = true;
        for (JsonNode object : objects) {
            if (!first) {
                session.out.println();
            }
            first = false;
            List<JsonNode> allocations = List.of();
            List<JsonNode> children = List.of();
            if (kind == Kind.IPPOOL) {
                String pool = object.path("metadata").path("name").asText();
                allocations = allocationsOf(pool);
                children = on(Kind.IPPOOL, false).listAll(ListOptions.all()).stream()
                        .filter(p -> pool.equals(p.path("spec").path("parentPoolRef").path("name").asText(null))).toList();
            }
            session.out.print(Describer.describe(kind, object, allocations, children));
        }
        session.out.flush();
        return code;
    }

    /** Every allocation of a pool, across namespaces; falls back to filtering here if the server refuses the field selector. */
    List<JsonNode> allocationsOf(String pool) {
        ResourceClient<JsonNode> allocations = on(Kind.IPALLOCATION, true);
        try {
            return allocations.listAll(ListOptions.all().withFieldSelector("spec.poolRef.name=" + pool));
        } catch (IpamException e) {
            if (e.reason() != IpamException.Reason.BAD_REQUEST) {
                throw e;
            }
            return allocations.listAll(ListOptions.all()).stream()
                    .filter(a -> pool.equals(a.path("spec").path("poolRef").path("name").asText(null))).toList();
        }
    }

    /** {@code delete KIND NAME...} or {@code delete -f FILE}. */
    int delete(List<String> args, List<String> files, boolean ignoreNotFound, boolean dryRun, Manifests manifests) {
        List<Object[]> work = new ArrayList<>();
        if (files != null && !files.isEmpty()) {
            if (args != null && !args.isEmpty()) {
                throw new UsageError("delete: give either -f FILE or KIND NAME..., not both");
            }
            for (Manifests.Manifest m : manifests.read(files)) {
                Kind kind = kindOf(m);
                work.add(new Object[] {kind, m.object().path("metadata").path("name").asText(), namespaceOf(m)});
            }
        } else {
            Targets targets = Targets.parse(args, "delete");
            if (targets.names().isEmpty()) {
                throw new UsageError("delete: name what to delete, e.g. 'ipamctl delete " + targets.kind().shortName() + " NAME'");
            }
            targets.names().forEach(n -> work.add(new Object[] {targets.kind(), n, session.namespace()}));
        }
        int code = ExitCodes.OK;
        for (Object[] item : work) {
            Kind kind = (Kind) item[0];
            String name = (String) item[1];
            try {
                clientFor(kind, (String) item[2]).delete(name, dryRun);
                session.out.println(kind.nameOutputPrefix() + " \"" + name + "\" deleted" + (dryRun ? " (server dry run)" : ""));
            } catch (IpamException e) {
                if (!(ignoreNotFound && e.reason() == IpamException.Reason.NOT_FOUND)) {
                    code = code == ExitCodes.OK ? Errors.report(session.err, e) : code;
                }
            }
        }
        session.out.flush();
        return code;
    }

    /** {@code apply -f FILE|-}: create what is missing, patch labels/annotations of what exists. */
    int apply(List<String> files, boolean dryRun, Manifests manifests) {
        return eachManifest("apply", files, manifests, manifest -> {
            session.out.println(applyOne(manifest, dryRun));
            return ExitCodes.OK;
        });
    }

    /** {@code create -f}: like apply, but an object that exists already is an error (AlreadyExists). */
    int create(List<String> files, boolean dryRun, Manifests manifests) {
        return eachManifest("create", files, manifests, manifest -> {
            Prepared object = prepare(manifest);
            clientFor(object.kind(), object.namespace()).create(object.body(), dryRun, dev.ipam.client.RequestIds.next());
            session.out.println(object.label() + " created" + (dryRun ? " (server dry run)" : ""));
            return ExitCodes.OK;
        });
    }

    /**
     * {@code diff -f}: what apply would change, as a unified diff of the live object and the object
     * the server computes for the manifest in a dry run (for a new claim: its real block). Exits 0
     * without differences and 1 with some, as kubectl diff does.
     */
    int diff(List<String> files, Manifests manifests) {
        return eachManifest("diff", files, manifests, manifest -> {
            Prepared object = prepare(manifest);
            ResourceClient<JsonNode> resources = clientFor(object.kind(), object.namespace());
            JsonNode live = existing(resources, object.name());
            JsonNode merged = live == null
                    ? resources.create(object.body(), true, dev.ipam.client.RequestIds.next())
                    : resources.patch(object.name(), object.patch(), true);
            String path = object.kind().plural() + "/" + (object.kind().namespaced() ? object.namespace() + "/" : "") + object.name();
            List<String> before = live == null ? List.of() : Printer.yaml(comparable(live)).lines().toList();
            List<String> after = Printer.yaml(comparable(merged)).lines().toList();
            List<String> unified = UnifiedDiffUtils.generateUnifiedDiff("live/" + path, "merged/" + path, before,
                    DiffUtils.diff(before, after), 3);
            unified.forEach(session.out::println);
            return unified.isEmpty() ? ExitCodes.OK : ExitCodes.ERROR;
        });
    }

    /** Fields the server changes on every write; a diff of them says nothing about the manifest. */
    private static JsonNode comparable(JsonNode object) {
        ObjectNode copy = object.deepCopy();
        ObjectNode metadata = copy.with("metadata");
        metadata.remove(List.of("resourceVersion", "generation", "managedFields"));
        return copy;
    }

    private interface ManifestAction {
        int run(Manifests.Manifest manifest);
    }

    /** Runs {@code action} on every manifest of {@code files}, reporting errors and going on; the first error's code wins. */
    private int eachManifest(String verb, List<String> files, Manifests manifests, ManifestAction action) {
        if (files == null || files.isEmpty()) {
            throw new UsageError(verb + ": -f FILE is required (use -f - to read standard input)");
        }
        int code = ExitCodes.OK;
        int differences = ExitCodes.OK;
        for (Manifests.Manifest manifest : manifests.read(files)) {
            try {
                differences = Math.max(differences, action.run(manifest));
            } catch (IpamException e) {
                code = code == ExitCodes.OK ? Errors.report(session.err, e) : code;
            } catch (UsageError e) {
                session.err.println("error: " + e.getMessage());
                code = code == ExitCodes.OK ? e.exitCode() : code;
            }
        }
        session.out.flush();
        session.err.flush();
        return code != ExitCodes.OK ? code : differences;
    }

    /** A manifest made ready to send: its kind, namespace and name checked, status dropped. */
    private record Prepared(Kind kind, String namespace, String name, ObjectNode body) {
        String label() {
            return kind.nameOutputPrefix() + "/" + name;
        }

        /** The merge patch apply sends for an existing object: labels, annotations and spec. */
        ObjectNode patch() {
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            ObjectNode metadata = patch.putObject("metadata");
            for (String field : List.of("labels", "annotations")) {
                if (body.path("metadata").has(field)) {
                    metadata.set(field, body.path("metadata").get(field));
                }
            }
            if (body.has("spec")) {
                patch.set("spec", body.get("spec"));
            }
            return patch;
        }
    }

    private Prepared prepare(Manifests.Manifest manifest) {
        Kind kind = kindOf(manifest);
        ObjectNode object = manifest.object().deepCopy();
        String name = object.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            throw new UsageError(manifest.source() + ": metadata.name is required", ExitCodes.INVALID);
        }
        String namespace = namespaceOf(manifest);
        if (kind.namespaced()) {
            object.with("metadata").put("namespace", namespace);
        }
        object.remove("status");
        return new Prepared(kind, namespace, name, object);
    }

    /** The stored object, or null when there is none. */
    private static JsonNode existing(ResourceClient<JsonNode> resources, String name) {
        try {
            return resources.get(name);
        } catch (IpamException e) {
            if (e.reason() != IpamException.Reason.NOT_FOUND) {
                throw e;
            }
            return null;
        }
    }

    private String applyOne(Manifests.Manifest manifest, boolean dryRun) {
        Prepared object = prepare(manifest);
        ResourceClient<JsonNode> resources = clientFor(object.kind(), object.namespace());
        String suffix = dryRun ? " (server dry run)" : "";
        JsonNode existing = existing(resources, object.name());
        if (existing == null) {
            resources.create(object.body(), dryRun, dev.ipam.client.RequestIds.next());
            return object.label() + " created" + suffix;
        }
        ObjectNode patch = object.patch();
        if (contains(existing, patch)) {
            return object.label() + " unchanged" + suffix;
        }
        if (!dryRun) {
            resources.patch(object.name(), patch);
        }
        return object.label() + " configured" + suffix;
    }

    /** How long {@code edit} waits for the editor to exit. */
    static final Duration EDITOR_WAIT_MAX = Duration.ofHours(12);

    /**
     * {@code edit KIND NAME}: the object as YAML in {@code $IPAM_EDITOR}, {@code $EDITOR} or vi;
     * on save, a replace carrying the resourceVersion read, so a concurrent change is a CONFLICT
     * rather than lost. Nothing is sent when the file is unchanged. When the server refuses the
     * edit, the file is kept and its path printed, so the work is not lost.
     */
    int edit(Targets targets, Map<String, String> environment, Manifests manifests) {
        if (targets.names().size() != 1) {
            throw new UsageError("edit: name one object, e.g. 'ipamctl edit ippool web'");
        }
        Kind kind = targets.kind();
        String name = targets.names().get(0);
        ResourceClient<JsonNode> resources = on(kind, false);
        JsonNode live = resources.get(name);
        String original = "# Edit the object below; labels and annotations may change, spec is immutable.\n"
                + "# Save and quit to replace it; save it unchanged (or empty) to cancel.\n" + Printer.yaml(live);
        Path file;
        try {
            file = Files.createTempFile("ipamctl-edit-" + kind.plural() + "-", ".yaml");
            Files.writeString(file, original);
        } catch (IOException e) {
            throw new UsageError("edit: cannot write a temporary file: " + e.getMessage(), ExitCodes.ERROR);
        }
        runEditor(environment, file, original);
        String edited;
        try {
            edited = Files.readString(file);
        } catch (IOException e) {
            throw new UsageError("edit: cannot read " + file + " back: " + e.getMessage(), ExitCodes.ERROR);
        }
        String label = kind.nameOutputPrefix() + "/" + name;
        if (edited.equals(original) || edited.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
            deleteQuietly(file);
            session.out.println("Edit cancelled, no changes made.");
            session.out.flush();
            return ExitCodes.OK;
        }
        List<Manifests.Manifest> read = manifests.read(List.of(file.toString()));
        if (read.size() != 1 || !name.equals(read.get(0).object().path("metadata").path("name").asText())) {
            session.err.println("error: the edited file must hold the one object " + label + "; your edit is kept in " + file);
            session.err.flush();
            return ExitCodes.INVALID;
        }
        try {
            resources.update(read.get(0).object());
        } catch (IpamException e) {
            int code = Errors.report(session.err, e);
            session.err.println("your edit is kept in " + file);
            session.err.flush();
            return code;
        }
        deleteQuietly(file);
        session.out.println(label + " edited");
        session.out.flush();
        return ExitCodes.OK;
    }

    /**
     * Runs the editor on {@code file}. When it fails, the file is removed if it still holds
     * {@code original} (nothing to keep) and kept, with its path in the error, if it was changed.
     */
    private static void runEditor(Map<String, String> environment, Path file, String original) {
        String editor = environment.getOrDefault("IPAM_EDITOR", environment.getOrDefault("EDITOR", "vi"));
        List<String> command = new ArrayList<>(List.of(editor.trim().split("\\s+")));
        command.add(file.toString());
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            if (!process.waitFor(EDITOR_WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                throw new UsageError("edit: the editor did not exit within " + EDITOR_WAIT_MAX.toHours() + " h; your edit is in " + file,
                        ExitCodes.ABORTED);
            }
            if (process.exitValue() != 0) {
                String where;
                if (unchanged(file, original)) {
                    deleteQuietly(file);
                    where = "";
                } else {
                    where = " (your edit is kept in " + file + ")";
                }
                throw new UsageError("edit: the editor '" + editor + "' exited with " + process.exitValue()
                        + "; nothing was changed on the server" + where, ExitCodes.ABORTED);
            }
        } catch (IOException e) {
            throw new UsageError("edit: cannot start the editor '" + editor + "' (set IPAM_EDITOR or EDITOR): " + e.getMessage(),
                    ExitCodes.USAGE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageError("edit: interrupted; your edit is in " + file, ExitCodes.ABORTED);
        }
    }

    private static boolean unchanged(Path file, String original) {
        try {
            return Files.readString(file).equals(original);
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A temporary file left behind is harmless; the edit itself succeeded or was cancelled.
        }
    }

    /** {@code wait KIND/NAME --for=...}. */
    int waitFor(Targets targets, String condition, Duration timeout) {
        if (targets.names().isEmpty()) {
            throw new UsageError("wait: name the object, e.g. 'ipamctl wait ipclaim/NAME --for=condition=Ready'");
        }
        if (condition == null || condition.isEmpty()) {
            throw new UsageError("wait: --for is required: --for=condition=Ready, --for=jsonpath='{.status.phase}'=Bound or --for=delete");
        }
        ResourceClient<JsonNode> resources = on(targets.kind(), false);
        WaitCondition wanted = WaitCondition.parse(condition);
        for (String name : targets.names()) {
            String label = targets.kind().nameOutputPrefix() + "/" + name;
            if (wanted.delete()) {
                resources.waitForDeletion(name, timeout);
                session.out.println(label + " deleted");
            } else {
                resources.waitFor(name, wanted::holds, timeout);
                session.out.println(label + " condition met");
            }
        }
        session.out.flush();
        return ExitCodes.OK;
    }

    private ResourceClient<JsonNode> clientFor(Kind kind, String namespace) {
        IpamClient client = kind == Kind.PROJECT ? session.adminClient() : session.client();
        return client.resources(kind, kind.namespaced() ? namespace : null, JsonNode.class);
    }

    private String namespaceOf(Manifests.Manifest manifest) {
        String declared = manifest.object().path("metadata").path("namespace").asText("");
        return declared.isEmpty() ? session.namespace() : declared;
    }

    private static Kind kindOf(Manifests.Manifest manifest) {
        String kindName = manifest.object().path("kind").asText("");
        Kind kind = Kind.ofKindName(kindName).orElseThrow(() -> new UsageError(manifest.source() + ": unknown kind '"
                + kindName + "'; expected IPPool, IPClaim or Project", ExitCodes.INVALID));
        if (kind == Kind.IPALLOCATION) {
            throw new UsageError(manifest.source() + ": IPAllocations are written by the server; apply an IPClaim instead",
                    ExitCodes.INVALID);
        }
        String apiVersion = manifest.object().path("apiVersion").asText("");
        if (!apiVersion.isEmpty() && !apiVersion.equals(kind.apiVersion())) {
            throw new UsageError(manifest.source() + ": apiVersion '" + apiVersion + "' for " + kindName + "; expected "
                    + kind.apiVersion(), ExitCodes.INVALID);
        }
        return kind;
    }

    /** Whether every field of {@code wanted} has the same value in {@code actual}. */
    private static boolean contains(JsonNode actual, JsonNode wanted) {
        if (wanted.isObject()) {
            var fields = wanted.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                if (!actual.has(field.getKey()) || !contains(actual.get(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (wanted.isNumber() && actual.isNumber()) {
            return wanted.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return wanted.equals(actual);
    }
}
