/**
 * Writing JSON by hand. The load tester has no JSON library on its classpath, so request bodies and the
 * {@code --json} report are produced by one small streaming writer that owns all escaping.
 *
 * <p>Nullness: no parameter or return value in this package is {@code null}; a JSON {@code null} is written
 * with {@link io.flexserve.loadtest.json.JsonWriter#nullValue()} or, for a number, by passing NaN.
 */
package io.flexserve.loadtest.json;
