/**
 * Which parts of a model matter: activation-based importance of MLP neurons, attention heads (or
 * grouped-query groups) and whole blocks, measured on calibration text (Minitron). Elastic models
 * store weights in this order so that every sub-network is a prefix; shared by the encoder and
 * decoder converters.
 */
package io.flexserve.models.importance;
