/**
 * Optional API keys and per-key rate limits at the HTTP edge: {@link
 * io.flexserve.server.security.AuthFilter} runs before every controller, {@link
 * io.flexserve.server.security.ApiKeys} matches keys in constant time, and {@link
 * io.flexserve.server.security.TokenBucket} limits each key. Both are off by default.
 */
package io.flexserve.server.security;
