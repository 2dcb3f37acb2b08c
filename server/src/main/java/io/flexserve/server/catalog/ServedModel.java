package io.flexserve.server.catalog;

import io.flexserve.models.runtime.ElasticEncoder;
import io.flexserve.router.ModelMenu;
import io.flexserve.server.scheduling.EncoderScheduler;

/**
 * A model that is ready to serve: the loaded encoder, its measured menu of sub-networks, and its scheduler.
 *
 * @param name as in URLs and the {@code model} field
 */
public record ServedModel(String name, ElasticEncoder encoder, ModelMenu menu, EncoderScheduler scheduler) {}
