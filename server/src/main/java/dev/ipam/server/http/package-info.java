/**
 * The Kubernetes-dialect HTTP API of a node, on Netty, over the {@link dev.ipam.server.Replica} seam.
 *
 * <p>{@link dev.ipam.server.http.ApiServer} frames HTTP and hands whole requests to a bounded worker
 * pool; {@code Api} routes (project control planes, projects, discovery, OpenAPI, admin, health,
 * metrics); {@code Resources} turns verbs into core commands and typed reads, {@code Watches} and
 * {@code WatchHub} fan applied changes out to watch streams; {@code ModelJson} is the only place that
 * knows the JSON shape of the core's records, and {@code Schema}/{@code OpenApi} publish the same
 * structure that strict decoding enforces. See {@code server/doc/http-api.md} for the endpoints,
 * settings, limits and what kubectl can do against it.
 */
package dev.ipam.server.http;
