package io.flexserve.server.vision;

import io.flexserve.server.errors.ApiException;
import io.flexserve.server.request.JsonBodies;
import io.micronaut.http.HttpRequest;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Reads a {@code POST /v1/vision/features} body in any of its three forms:
 *
 * <ul>
 *   <li>{@code multipart/form-data}: the image in part {@code file} (or {@code image}); options as
 *       form fields;
 *   <li>{@code image/jpeg}, {@code image/png} or {@code application/octet-stream}: the body is the
 *       image; options as query parameters;
 *   <li>{@code application/json}: {@code {"image": "<base64 or data: URL>", "model", "resolution",
 *       "feature_format", "outputs"}}.
 * </ul>
 *
 * Options: {@code model}, {@code resolution} (a served resolution), {@code feature_format} ({@code
 * nlc} | {@code nchw}, default nlc), {@code outputs} ({@code summary}, {@code features}; default
 * both; comma-separated outside JSON). Any other content type is a 400 {@code
 * unsupported_media_type}.
 */
@Singleton
public final class VisionRequestParser {
  private final JsonMapper json;

  public VisionRequestParser(JsonMapper json) {
    this.json = json;
  }

  public VisionRequest parse(HttpRequest<?> http, byte[] body) {
    String contentType = http.getHeaders().get("Content-Type");
    contentType = contentType == null ? "" : contentType;
    String mediaType = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    switch (mediaType) {
      case "multipart/form-data":
        {
          Map<String, byte[]> parts =
              Multipart.parse(body == null ? new byte[0] : body, contentType);
          byte[] image = parts.containsKey("file") ? parts.get("file") : parts.get("image");
          if (image == null) {
            throw new ApiException.BadRequest(
                "missing_field",
                "multipart body has no 'file' (or 'image') part; parts: " + parts.keySet());
          }
          return options(
              image,
              name ->
                  Optional.ofNullable(parts.get(name))
                      .map(b -> new String(b, StandardCharsets.UTF_8)));
        }
      case "image/jpeg":
      case "image/png":
      case "application/octet-stream":
        return options(
            body == null ? new byte[0] : body, name -> http.getParameters().getFirst(name));
      case "application/json":
        return fromJson(body);
      default:
        throw new ApiException.BadRequest(
            "unsupported_media_type",
            "Content-Type '"
                + contentType
                + "' is not accepted; send "
                + "multipart/form-data, image/jpeg, image/png, application/octet-stream or application/json");
    }
  }

  private VisionRequest fromJson(byte[] body) {
    JsonNode root = JsonBodies.parse(json, body);
    if (!root.isObject()) {
      throw new ApiException.BadRequest("invalid_json", "request body must be a JSON object");
    }
    JsonNode image = root.get("image");
    if (image == null || image.isNull()) {
      throw new ApiException.BadRequest(
          "missing_field", "'image' (base64 JPEG or PNG) is required");
    }
    if (!image.isString()) {
      throw new ApiException.BadRequest("wrong_type", "'image' must be a base64 string");
    }
    byte[] bytes = base64(image.getStringValue());
    return options(
        bytes,
        name -> {
          JsonNode v = root.get(name);
          if (v == null || v.isNull()) {
            return Optional.empty();
          }
          if (v.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode item : v.values()) {
              joined.append(joined.length() == 0 ? "" : ",").append(item.coerceStringValue());
            }
            return Optional.of(joined.toString());
          }
          return Optional.of(v.coerceStringValue());
        });
  }

  /** Standard base64 of the image, optionally as a {@code data:image/...;base64,} URL. */
  public static byte[] base64(String text) {
    String payload =
        text.startsWith("data:") && text.contains(",")
            ? text.substring(text.indexOf(',') + 1)
            : text;
    try {
      return Base64.getMimeDecoder().decode(payload);
    } catch (IllegalArgumentException e) {
      throw new ApiException.BadRequest(
          "invalid_base64", "'image' is not valid base64: " + e.getMessage());
    }
  }

  private static VisionRequest options(byte[] image, Function<String, Optional<String>> field) {
    Optional<String> model = field.apply("model").map(String::strip).filter(s -> !s.isEmpty());
    OptionalInt resolution = OptionalInt.empty();
    Optional<String> res = field.apply("resolution").map(String::strip);
    if (res.isPresent()) {
      try {
        resolution = OptionalInt.of(Integer.parseInt(res.get()));
      } catch (NumberFormatException e) {
        throw new ApiException.BadRequest(
            "wrong_type",
            "'resolution' must be an integer number of pixels, got '" + res.get() + "'");
      }
    }
    String fmt =
        field.apply("feature_format").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("nlc");
    VisionRequest.FeatureFormat format;
    switch (fmt) {
      case "nlc":
        format = VisionRequest.FeatureFormat.NLC;
        break;
      case "nchw":
        format = VisionRequest.FeatureFormat.NCHW;
        break;
      default:
        throw new ApiException.InvalidValue(
            "invalid_value", "'feature_format' must be 'nlc' or 'nchw', got '" + fmt + "'");
    }
    List<String> outputs =
        field
            .apply("outputs")
            .map(s -> List.of(s.split(",")))
            .orElse(List.of("summary", "features"))
            .stream()
            .map(s -> s.strip().toLowerCase(Locale.ROOT))
            .filter(s -> !s.isEmpty())
            .toList();
    for (String o : outputs) {
      if (!o.equals("summary") && !o.equals("features")) {
        throw new ApiException.InvalidValue(
            "invalid_value", "'outputs' may hold 'summary' and 'features', got '" + o + "'");
      }
    }
    if (outputs.isEmpty()) {
      throw new ApiException.InvalidValue(
          "invalid_value", "'outputs' must name at least one of 'summary', 'features'");
    }
    return new VisionRequest(
        model,
        image,
        resolution,
        format,
        outputs.contains("summary"),
        outputs.contains("features"));
  }
}
