package dev.ipam.core;

import dev.ipam.core.Result.Reason;
import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.ObjectMeta;
import dev.ipam.core.model.Project;
import dev.ipam.core.store.Space;
import java.util.List;
import java.util.Objects;

/** Admin commands on projects, and the usage bookkeeping other commands do on them. */
final class Projects {
    /** The most projects one state holds. */
    static final long PROJECTS_MAX = 100_000;
    static final byte[] META_PROJECT_COUNT = {'p', 'r', 'o', 'j', 'e', 'c', 't', 's'};

    private Projects() {
    }

    static Result notFound(String name) {
        return Result.rejected(Reason.NotFound, "projects \"" + name + "\" not found");
    }

    static Result conflictIfStale(long expected, ObjectMeta meta, Kind kind) {
        if (expected != 0 && expected != meta.resourceVersion()) {
            return Result.rejected(Reason.Conflict, "Operation cannot be fulfilled on " + kind.plural + " \""
                    + meta.name() + "\": the object has been modified (resourceVersion=" + meta.resourceVersion()
                    + ", expected " + expected + "); please apply your changes to the latest version and try again");
        }
        return null;
    }

    static Result create(Context context, Command.CreateProject command) {
        byte[] key = Keys.object(Kind.PROJECT, "", "", command.name());
        if (context.batch.get(Space.OBJECTS, key) != null) {
            return Result.rejected(Reason.AlreadyExists, "projects \"" + command.name() + "\" already exists");
        }
        byte[] countBytes = context.batch.get(Space.META, META_PROJECT_COUNT);
        long count = countBytes == null ? 0 : Context.decodeLong(countBytes);
        if (count >= PROJECTS_MAX) {
            return Result.rejected(Reason.TooManyRequests, "server limit reached: projects=" + count + " max="
                    + PROJECTS_MAX);
        }
        context.batch.put(Space.META, META_PROJECT_COUNT, Context.encodeLong(count + 1));
        ObjectMeta meta = context.newMeta(key, command.name(), "", command.labels(), command.annotations());
        Project.ProjectSpec spec = command.spec() == null ? new Project.ProjectSpec(null) : command.spec();
        Project project = new Project(meta, spec, new Project.ProjectStatus(new Project.Usage(0, 0, 0), List.of()));
        context.write(ChangeType.ADDED, project);
        return context.created(project);
    }

    static Result update(Context context, Command.UpdateProject command) {
        Project project = context.project(command.name());
        if (project == null) {
            return notFound(command.name());
        }
        Result stale = conflictIfStale(command.expectedResourceVersion(), project.metadata(), Kind.PROJECT);
        if (stale != null) {
            return stale;
        }
        ObjectMeta old = project.metadata();
        Project.ProjectSpec spec = command.spec() == null ? project.spec() : command.spec();
        long generation = Objects.equals(spec, project.spec()) ? old.generation() : old.generation() + 1;
        ObjectMeta meta = new ObjectMeta(old.name(), "", old.uid(), context.index, generation,
                old.creationTimestampMs(), command.labels(), command.annotations());
        Project updated = new Project(meta, spec, project.status());
        context.write(ChangeType.MODIFIED, updated, project);
        return context.ok(updated);
    }

    static Result delete(Context context, Command.DeleteProject command) {
        Project project = context.project(command.name());
        if (project == null) {
            return notFound(command.name());
        }
        Result stale = conflictIfStale(command.expectedResourceVersion(), project.metadata(), Kind.PROJECT);
        if (stale != null) {
            return stale;
        }
        Project.Usage usage = project.status().usage();
        boolean allocations = context.batch.first(Space.OBJECTS,
                Keys.objectPrefix(Kind.ALLOCATION, command.name(), null),
                Keys.prefixEnd(Keys.objectPrefix(Kind.ALLOCATION, command.name(), null))) != null;
        if (usage.pools() > 0 || usage.claims() > 0 || allocations) {
            return Result.rejected(Reason.Conflict, "project=" + command.name() + " is in use: pools="
                    + usage.pools() + " claims=" + usage.claims() + " retainedAllocations=" + allocations
                    + "; delete them first");
        }
        byte[] countBytes = context.batch.get(Space.META, META_PROJECT_COUNT);
        long count = countBytes == null ? 0 : Context.decodeLong(countBytes);
        if (count <= 0) {
            throw new IllegalStateException("project count " + count + " with project " + command.name() + " stored");
        }
        context.batch.put(Space.META, META_PROJECT_COUNT, Context.encodeLong(count - 1));
        return context.ok(context.delete(project));
    }

    /** Writes the project with new usage (a MODIFIED change). */
    static void writeUsage(Context context, Project project, Project.Usage usage) {
        ObjectMeta meta = project.metadata().withResourceVersion(context.index);
        Project updated = new Project(meta, project.spec(), new Project.ProjectStatus(usage,
                project.status().conditions()));
        context.write(ChangeType.MODIFIED, updated);
    }
}
