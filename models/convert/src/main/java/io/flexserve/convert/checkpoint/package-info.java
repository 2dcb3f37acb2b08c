/**
 * Random-weight checkpoints in Hugging Face layout, any size ({@code SyntheticCheckpoint}, {@code
 * SyntheticTokenizer}): the inputs of benchmarks and tests. Reading real checkpoints is the
 * runtime's {@code io.flexserve.models.llm.checkpoint}.
 */
package io.flexserve.convert.checkpoint;
