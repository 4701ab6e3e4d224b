package io.mxwatch.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mxwatch.snapshot.SnapshotJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** One HTTP request and its answer: path segments, query, JSON body in, JSON or text out. */
final class Call {
  /** Bodies larger than this are refused: every write operation fits in a few hundred bytes. */
  static final int MAX_BODY = 64 * 1024;

  private final Request request;
  private final Response response;
  private final List<String> segments;
  private final Map<String, String> query;
  private boolean answered;

  /**
   * @throws IllegalArgumentException when the path or query is not valid percent-encoding
   */
  Call(Request request, Response response) {
    this.request = request;
    this.response = response;
    String path = request.getHttpURI().getPath();
    this.segments = UrlParts.segments(path);
    this.query = UrlParts.parameters(request.getHttpURI().getQuery());
  }

  /** The request's path as it was sent, for logs. */
  String path() {
    return request.getHttpURI().getPath();
  }

  String method() {
    return request.getMethod();
  }

  /** The path's segments, decoded: {@code /api/domains/x} → [api, domains, x]. */
  List<String> segments() {
    return segments;
  }

  String query(String name) {
    return query.get(name);
  }

  String header(String name) {
    return request.getHeaders().get(name);
  }

  boolean answered() {
    return answered;
  }

  /**
   * The body as a JSON object with only {@code allowed} keys, each a string.
   *
   * @throws HttpError 400 for anything else, 413 when too large
   */
  Map<String, String> jsonBody(Set<String> allowed) throws IOException {
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      throw new HttpError(413, "the body is larger than " + MAX_BODY + " bytes");
    }
    JsonNode node;
    try {
      node = SnapshotJson.mapper().readTree(body);
    } catch (IOException e) {
      throw new HttpError(400, "the body is not JSON: send an object like {\"reason\": \"...\", \"by\": \"...\"}");
    }
    if (node == null || !node.isObject()) {
      throw new HttpError(400, "the body must be a JSON object with the keys " + String.join(", ", allowed.stream().sorted().toList()));
    }
    Map<String, String> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!allowed.contains(field.getKey())) {
        throw new HttpError(400, "unknown key '" + field.getKey() + "' (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
      if (!field.getValue().isTextual()) {
        throw new HttpError(400, "'" + field.getKey() + "' must be a string");
      }
      out.put(field.getKey(), field.getValue().asText());
    }
    return out;
  }

  /** Answers with {@code value} as JSON (snake_case, ISO-8601 times). */
  void json(int status, Object value) throws IOException {
    send(status, "application/json; charset=utf-8", SnapshotJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
  }

  /** Answers with {@code {"error": message}}. */
  void error(int status, String message) throws IOException {
    ObjectNode body = SnapshotJson.mapper().createObjectNode();
    body.put("error", message);
    json(status, body);
  }

  void text(int status, String contentType, String body) throws IOException {
    send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** What writes a streamed body. */
  @FunctionalInterface
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Answers with a body written as it is produced (chunked): nothing large is held in memory. */
  void stream(int status, String contentType, Body body) throws IOException {
    answered = true;
    headers(status, contentType);
    if (method().equals("HEAD")) {
      return;
    }
    try (OutputStream out = Response.asBufferedOutputStream(request, response)) {
      body.writeTo(out);
    }
  }

  void header(String name, String value) {
    response.getHeaders().put(name, value);
  }

  private void headers(int status, String contentType) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
  }

  private void send(int status, String contentType, byte[] body) throws IOException {
    answered = true;
    headers(status, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    if (!method().equals("HEAD") && body.length > 0) {
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        out.write(body);
      }
    }
  }

  /** An answer other than 200, raised where the problem is found. */
  static final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
