/**
 * Text generation: the OpenAI completion and chat endpoints, request validation, and the
 * continuous-batching scheduler that runs generations on an elastic decoder's sub-networks. Request
 * → {@code CompletionsController} → {@code GenerationScheduler} (router picks the sub-network at
 * admission) → {@code DecodeBatch} per sub-network.
 */
package io.flexserve.server.generation;
