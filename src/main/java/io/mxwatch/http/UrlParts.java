package io.mxwatch.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API and the pages read of a request: its path's decoded segments, and its query's (or
 * a urlencoded form's) parameters. Both throw {@link IllegalArgumentException} for a malformed
 * percent-escape.
 */
public final class UrlParts {
  private UrlParts() {}

  /** The path's non-empty segments, percent-decoded; none for a null path. */
  public static List<String> segments(String path) {
    return Arrays.stream(path == null ? new String[0] : path.split("/"))
        .filter(s -> !s.isEmpty())
        .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8))
        .toList();
  }

  /** The parameters of {@code a=1&b=2} (decoded; a name given twice keeps its first value); none for null. */
  public static Map<String, String> parameters(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      out.putIfAbsent(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
