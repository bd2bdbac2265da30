package dev.ipam.core;

import dev.ipam.core.store.Batch;

/**
 * The IPAM business logic behind {@link Core}: decodes a command, decides from the state read
 * through the batch (pool resolution, access, quota, block choice), writes the changes into the
 * batch and returns the encoded {@link Result}. Holds no state of its own: everything it knows is in
 * the batch, so every replica computes the same writes and result. A rejected command writes nothing.
 *
 * <p>Dry run: apply to {@code new Overlay(view)} and drop the overlay.
 */
public final class Ipam implements Core {
    public Ipam() {
    }

    /**
     * The leader's check before logging: null when the bytes decode as a command of a known format
     * version. Field validation is NOT refused here: an invalid command is logged and answered by
     * apply with its 422/400 Result (causes and all), so clients always get a Kubernetes Status.
     * Call {@link #validate} at the edge to answer those without a round trip.
     */
    @Override
    public String check(byte[] command) {
        try {
            Codec.decodeCommand(command);
            return null;
        } catch (Codec.Malformed e) {
            return "malformed command: " + e.getMessage();
        }
    }

    /**
     * Stateless validation (names, labels, CIDR syntax, prefix-length ranges, poolRef/poolSelector):
     * the rejection apply would give without reading any state, or null. Same rules as in apply.
     */
    public static Result validate(Command command) {
        return Validate.command(command);
    }

    /**
     * Applies an encoded command. Undecodable bytes give a 400 BadRequest result (the leader's
     * {@link #check} keeps them out of the log; a replica must not stop on them either).
     */
    @Override
    public byte[] apply(Batch batch, long index, long timestampMs, byte[] command) {
        return applyAnswered(batch, index, timestampMs, command).result();
    }

    /**
     * The answer is the result without its changes: code, reason, message, causes and the object. A
     * claim's changes (the claim, its allocation, the pool and the project) are three quarters of
     * its result's bytes, and only watches read them, from the result, on every node.
     */
    @Override
    public Applied applyAnswered(Batch batch, long index, long timestampMs, byte[] command) {
        Command decoded;
        try {
            decoded = Codec.decodeCommand(command);
        } catch (Codec.Malformed e) {
            byte[] rejected = Codec.encodeResult(Result.rejected(Result.Reason.BadRequest,
                    "malformed command: " + e.getMessage()));
            return new Applied(rejected, rejected);
        }
        Context context = new Context(batch, index, timestampMs);
        Result result = run(context, decoded);
        Audit.record(context, decoded, result);
        return Codec.encodeApplied(result, context.bodies);
    }

    /** The typed form of {@link #apply}: same state changes, the result as a record. */
    public Result execute(Batch batch, long index, long timestampMs, Command command) {
        Context context = new Context(batch, index, timestampMs);
        Result result = run(context, command);
        Audit.record(context, command, result);
        return result;
    }

    private Result run(Context context, Command command) {
        if (context.index <= 0) {
            throw new IllegalArgumentException("log index must be positive, was " + context.index);
        }
        Result invalid = Validate.command(command);
        if (invalid != null) {
            return invalid;
        }
        if (command instanceof Command.CreateProject c) {
            return Projects.create(context, c);
        } else if (command instanceof Command.UpdateProject c) {
            return Projects.update(context, c);
        } else if (command instanceof Command.DeleteProject c) {
            return Projects.delete(context, c);
        } else if (command instanceof Command.CreatePool c) {
            return Pools.create(context, c);
        } else if (command instanceof Command.UpdatePool c) {
            return Pools.update(context, c);
        } else if (command instanceof Command.DeletePool c) {
            return Pools.delete(context, c);
        } else if (command instanceof Command.CreateClaim c) {
            return Claims.create(context, c);
        } else if (command instanceof Command.UpdateClaim c) {
            return Claims.update(context, c);
        } else if (command instanceof Command.DeleteClaim c) {
            return Claims.delete(context, c);
        } else if (command instanceof Command.UpdateAllocation c) {
            return Claims.updateAllocation(context, c);
        } else if (command instanceof Command.DeleteAllocation c) {
            return Claims.deleteAllocation(context, c);
        }
        throw new IllegalStateException("unhandled command " + command.getClass());
    }
}
