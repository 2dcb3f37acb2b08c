/**
 * Elastic vision backbones of the RADIO family (ViT with CLS and register tokens), served at
 * several input resolutions and nested widths/depths.
 *
 * <p>Conversion (the toolchain's {@code io.flexserve.convert.vision.ElasticVisionConverter}):
 * import a RADIO or timm ViT checkpoint in safetensors ({@link
 * io.flexserve.models.vision.VisionCheckpoint}), rank heads, MLP neurons and blocks by activation
 * importance on calibration images, permute so that importance order is storage order, interpolate
 * the position embedding to each resolution's patch grid, and write one weight file plus one ONNX
 * graph per (sub-network, resolution) pair ({@link io.flexserve.models.vision.VisionGraph}).
 *
 * <p>Sources: Ranzinger et al., "AM-RADIO: Agglomerative Vision Foundation Model" (2024) and
 * NVlabs/RADIO {@code ViTPatchGenerator} (patch layout {@code (c, yy, xx)}, bilinear
 * position-embedding resampling); Darcet et al., "Vision Transformers Need Registers" (2024); Cai
 * et al., "Flextron" (2024); Minitron §2 importance.
 */
package io.flexserve.models.vision;
