/**
 * Text to token ids, using the Hugging Face tokenizers library through DJL, from a local {@code
 * tokenizer.json}. Nothing is downloaded: DJL's usage tracking must be off ({@code
 * OPT_OUT_TRACKING=true} or {@code -Dai.djl.offline=true}), which every launch path sets.
 */
package io.flexserve.models.text;
