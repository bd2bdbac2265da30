/**
 * ipamctl, the command line ({@link dev.ipam.cli.Ipamctl}). One picocli class per noun
 * ({@code pool}, {@code prefix}, {@code project}, {@code cluster}, {@code config}) with verbs as
 * methods; kubectl's verbs live on the root. Commands only decode flags and call plain classes:
 * {@code Resources} (the kubectl verbs), {@code Describer}, {@code OccupancyMap},
 * {@code Shortcuts}, {@code Manifests}, {@code ConfigFile}, {@code Printer}. Exit codes are the
 * constants of {@link dev.ipam.cli.ExitCodes}.
 */
package dev.ipam.cli;
