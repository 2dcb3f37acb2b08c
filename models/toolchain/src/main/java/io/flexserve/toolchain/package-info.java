/**
 * The offline command line, {@code flexserve-toolchain.jar} (picocli): conversion, evaluation,
 * synthetic checkpoints, the simulator and the benchmark commands. The server jar carries none of
 * it.
 */
package io.flexserve.toolchain;
