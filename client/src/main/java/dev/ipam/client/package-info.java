/**
 * The Java client library of the IPAM cluster. Start at {@link dev.ipam.client.IpamClient}: build
 * it from a {@link dev.ipam.client.ClientConfig} (nodes, project, token, timeouts, limits), then
 * {@link dev.ipam.client.IpamClient#claim claim} and {@link dev.ipam.client.IpamClient#release
 * release} blocks, or use the verbs of {@link dev.ipam.client.ResourceClient} on any kind (get,
 * list, watch, create, update, patch, delete, wait). Failures are
 * {@link dev.ipam.client.IpamException}s classified by {@link dev.ipam.client.IpamException.Reason}.
 *
 * <p>Wire contract: {@code API.md} (Kubernetes dialect below
 * {@code /apis/resourcemanager.miloapis.com/v1alpha1/projects/{project}/control-plane}) and the
 * admin endpoints {@code /admin/cluster...}, {@code /healthz}, {@code /readyz}.
 */
package dev.ipam.client;
