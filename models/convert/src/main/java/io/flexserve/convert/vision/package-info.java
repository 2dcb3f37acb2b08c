/**
 * Conversion of a RADIO / timm ViT checkpoint into an elastic vision bundle ({@code
 * ElasticVisionConverter}, {@code VisionPermutation}) and random-weight RADIO checkpoints ({@code
 * SyntheticVision}).
 */
package io.flexserve.convert.vision;
