package io.mxwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small HTTP client for the daemon's loopback listener, and a reader of Prometheus scrapes. */
public final class Http {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})?) (\\S+)$");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public Http(InetSocketAddress address) {
    this.base = "http://127.0.0.1:" + address.getPort();
  }

  public Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public HttpResponse<String> get(String path, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
  }

  public HttpResponse<String> post(String path, String json, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(json)), headers);
  }

  /** A POST of an urlencoded form. */
  public HttpResponse<String> form(String path, String form, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/x-www-form-urlencoded";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(form)), all);
  }

  /** The host and port requests go to, as a Host header names them. */
  public String authority() {
    return URI.create(base).getAuthority();
  }

  public HttpResponse<String> send(String method, String path, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).method(method, HttpRequest.BodyPublishers.noBody()), headers);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return client.send(request.timeout(Duration.ofSeconds(150)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The samples of a scrape: series (name with labels, as written) → value. */
  public Map<String, Double> samples() {
    return samples(get("/metrics").body());
  }

  public static Map<String, Double> samples(String scrape) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : scrape.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.matches()) {
        out.put(m.group(1), Double.parseDouble(m.group(3)));
      }
    }
    return out;
  }

  /** The labels of a series written as {@code name{a="x",b="y"}}. */
  public static Map<String, String> labels(String series) {
    Map<String, String> out = new HashMap<>();
    int open = series.indexOf('{');
    if (open < 0) {
      return out;
    }
    Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(series.substring(open));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }
}
