/**
 * The objects of the IPAM API as immutable records: {@link dev.ipam.client.model.IPPool},
 * {@link dev.ipam.client.model.IPClaim}, {@link dev.ipam.client.model.IPAllocation},
 * {@link dev.ipam.client.model.Project}, and the Kubernetes envelopes around them (lists, watch
 * events, {@link dev.ipam.client.model.Status} errors).
 *
 * <p>Every record ignores fields it does not know, so a newer server never breaks an older
 * client, and leaves out {@code null} fields when written, so a request carries only what the
 * caller set.
 */
package dev.ipam.client.model;
