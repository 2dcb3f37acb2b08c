/**
 * Hugging Face Llama-family checkpoints (Llama 1–3, Mistral without sliding window): {@code
 * config.json}, {@code tokenizer.json} and safetensors weights, single-file or sharded.
 *
 * <p>{@link io.flexserve.models.llm.checkpoint.Checkpoint} reads one directory and checks it
 * against its {@link io.flexserve.models.llm.checkpoint.LlamaConfig} before any weights are copied,
 * so a converter fails before writing anything. The toolchain's {@code
 * io.flexserve.convert.checkpoint.SyntheticCheckpoint} writes random-weight checkpoints in the same
 * layout, for speed and memory tests of models we cannot ship.
 *
 * <p>Every read failure is a {@link io.flexserve.models.llm.checkpoint.CheckpointException} naming
 * the file and the tensor or field at fault. Formats: the safetensors specification
 * (github.com/huggingface/safetensors) and transformers' {@code LlamaConfig}, {@code MistralConfig}
 * and {@code modeling_rope_utils}.
 */
package io.flexserve.models.llm.checkpoint;
