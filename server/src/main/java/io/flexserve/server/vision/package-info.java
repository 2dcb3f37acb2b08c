/**
 * Vision features over HTTP: image decoding behind size limits, preprocessing to each served
 * resolution, {@code POST /v1/vision/features}, KServe v2 inference for vision models, and the
 * per-image result cache.
 */
package io.flexserve.server.vision;
