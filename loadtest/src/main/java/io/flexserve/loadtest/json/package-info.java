/**
 * Reading and writing JSON by hand. The load tester has no JSON library on its classpath: one small
 * streaming writer ({@link io.flexserve.loadtest.json.JsonWriter}) owns all escaping of request
 * bodies and reports, and one strict parser ({@link io.flexserve.loadtest.json.JsonParser}) reads
 * back reports, traces and the server's model list into the sealed {@link
 * io.flexserve.loadtest.json.JsonValue} tree.
 *
 * <p>Nullness: no parameter or return value in this package is {@code null}; a JSON {@code null} is
 * written with {@link io.flexserve.loadtest.json.JsonWriter#nullValue()} or, for a number, by
 * passing NaN, and read as {@link io.flexserve.loadtest.json.JsonValue.Null}.
 */
package io.flexserve.loadtest.json;
