/**
 * The subcommands of {@code flexserve.jar} (picocli): serving, conversion and the benchmark
 * commands.
 */
package io.flexserve.server.cli;
