package io.mxwatch.http;

import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.metrics.Metrics;
import io.mxwatch.ops.OperationException;
import io.mxwatch.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request to its endpoint and turns every failure into a clear answer: 400 for a bad
 * request, 401/403 for writes without the token, 404, 405 with Allow, 500 (logged) for the rest.
 */
final class Router extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(Router.class);
  private static final String INDEX =
      """
      mxwatch

      GET  /metrics                      Prometheus metrics: aggregates, and the domains that need attention
      GET  /probe?target=DOMAIN          every series of one domain (Prometheus' multi-target pattern)
      GET  /-/healthy                    200 while the process runs
      GET  /-/ready                      200 when the store and the scheduler work, else 503
      POST /-/reload                     re-read the configuration file (token)
      GET  /api/domains                  domains: status, last check, open changes (?status=, ?open=true,
                                         ?domain=*.example.org, ?limit=, ?after= from next_after)
      GET  /api/domains/DOMAIN           its latest check and open changes
      GET  /api/domains/DOMAIN/history   snapshots, changes and approvals (?since=7d)
      POST /api/domains/DOMAIN/ack       approve its changes {"reason": "...", "by": "..."} (token)
      GET  /api/silences                 silences in force
      POST /api/silences                 {"domain": "...", "duration": "2h", "reason": "...", "by": "..."} (token)
      POST /api/silences/ID/expire       end a silence (token)
      """;

  private final HttpApi.Backend backend;
  private final DomainApi api;

  Router(HttpApi.Backend backend) {
    this.backend = backend;
    this.api = new DomainApi(backend);
  }

  /**
   * Answers one request on a worker thread, blocking: every answer is complete (or the connection
   * failed) when this returns. Store errors are logged; the client gets no SQL text.
   */
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Call call;
    try {
      call = new Call(request, response);
    } catch (IllegalArgumentException e) {
      Response.writeError(request, response, callback, 400, "the path or query is not valid percent-encoding");
      return true;
    }
    try {
      route(call);
    } catch (Call.HttpError e) {
      answer(call, e.status, e.getMessage());
    } catch (OperationException e) {
      answer(
          call,
          switch (e.reason()) {
            case BAD_REQUEST -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
          },
          e.getMessage());
    } catch (StoreException e) {
      log.error("{} {} failed: {}", call.method(), call.path(), e.getMessage(), e);
      if (call.answered()) {
        callback.failed(e); // cut the answer under way: the client must not take it as whole
        return true;
      }
      answer(call, 503, "the store failed; the daemon's log says why");
    } catch (IOException e) {
      log.debug("{} {}: the client went away: {}", call.method(), call.path(), e.toString());
      callback.failed(e);
      return true;
    } catch (RuntimeException e) {
      log.error("{} {} failed", call.method(), call.path(), e);
      if (call.answered()) {
        callback.failed(e);
        return true;
      }
      answer(call, 500, "internal error; the daemon's log says why");
    }
    callback.succeeded();
    return true;
  }

  /** Answers with an error (no answer is under way). */
  private static void answer(Call call, int status, String message) {
    try {
      call.error(status, message);
    } catch (IOException e) {
      log.debug("{} {}: the client went away: {}", call.method(), call.path(), e.toString());
    }
  }

  private void route(Call call) throws IOException {
    List<String> s = call.segments();
    String first = s.isEmpty() ? "" : s.getFirst();
    switch (first) {
      case "" -> {
        read(call);
        call.text(200, "text/plain; charset=utf-8", INDEX);
      }
      case "metrics" -> {
        read(call);
        String type = Metrics.contentType(call.header("Accept"));
        call.stream(200, type, out -> backend.metrics().scrape(type, out));
      }
      case "probe" -> {
        read(call);
        String target = call.query("target");
        if (target == null || target.isBlank()) {
          throw new Call.HttpError(400, "say which domain: /probe?target=DOMAIN");
        }
        String domain = io.mxwatch.ops.Operations.domain(target);
        if (backend.config().get().watch().domain(domain).isEmpty()) {
          throw new Call.HttpError(404, domain + " is not watched (it is not in the configuration)");
        }
        String type = Metrics.contentType(call.header("Accept"));
        call.stream(200, type, out -> backend.metrics().probe(domain, type, out));
      }
      case "-" -> health(call, s.size() == 2 ? s.get(1) : "");
      case "api" -> api(call, s.subList(1, s.size()));
      default -> throw notFound(call);
    }
  }

  private void health(Call call, String what) throws IOException {
    switch (what) {
      case "healthy" -> {
        read(call);
        call.text(200, "text/plain; charset=utf-8", "mxwatch is healthy.\n");
      }
      case "ready" -> {
        read(call);
        List<String> problems = backend.health().problems();
        if (problems.isEmpty()) {
          call.text(200, "text/plain; charset=utf-8", "mxwatch is ready.\n");
        } else {
          call.text(503, "text/plain; charset=utf-8", "mxwatch is not ready: " + String.join("; ", problems) + "\n");
        }
      }
      case "reload" -> {
        write(call);
        try {
          backend.reload().get().get(2, TimeUnit.MINUTES);
          call.text(200, "text/plain; charset=utf-8", "configuration reloaded\n");
        } catch (ExecutionException e) {
          call.text(500, "text/plain; charset=utf-8", "configuration not reloaded, the previous one stays in effect:\n" + e.getCause().getMessage() + "\n");
        } catch (TimeoutException e) {
          call.text(503, "text/plain; charset=utf-8", "the reload did not finish within 2 minutes\n");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          call.text(503, "text/plain; charset=utf-8", "interrupted\n");
        }
      }
      default -> throw notFound(call);
    }
  }

  private void api(Call call, List<String> s) throws IOException {
    if (s.isEmpty()) {
      throw notFound(call);
    }
    switch (s.getFirst()) {
      case "domains" -> {
        if (s.size() == 1) {
          read(call);
          call.json(200, api.domains(call));
        } else if (s.size() == 2) {
          read(call);
          call.json(200, api.domain(s.get(1)));
        } else if (s.size() == 3 && s.get(2).equals("history")) {
          read(call);
          call.json(200, api.history(s.get(1), call.query("since")));
        } else if (s.size() == 3 && s.get(2).equals("ack")) {
          write(call);
          call.json(200, api.ack(s.get(1), call.jsonBody(DomainApi.ACK_KEYS)));
        } else {
          throw notFound(call);
        }
      }
      case "silences" -> {
        if (s.size() == 1 && call.method().equals("POST")) {
          write(call);
          call.json(201, api.silence(call.jsonBody(DomainApi.SILENCE_KEYS)));
        } else if (s.size() == 1) {
          read(call);
          call.json(200, api.silences());
        } else if (s.size() == 3 && s.get(2).equals("expire")) {
          write(call);
          call.json(200, api.expire(s.get(1)));
        } else {
          throw notFound(call);
        }
      }
      default -> throw notFound(call);
    }
  }

  /** A read: GET or HEAD. */
  private static void read(Call call) {
    if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
      call.header("Allow", "GET, HEAD");
      throw new Call.HttpError(405, call.method() + " is not allowed here: use GET");
    }
  }

  /** A write: POST with the configured bearer token. */
  private void write(Call call) {
    if (!call.method().equals("POST")) {
      call.header("Allow", "POST");
      throw new Call.HttpError(405, call.method() + " is not allowed here: use POST");
    }
    MxwatchConfig.Secret token = backend.config().get().http().token();
    if (token == null) {
      throw new Call.HttpError(403, "write operations are disabled: set http.token_file or MXWATCH_HTTP_TOKEN to enable them");
    }
    String auth = call.header("Authorization");
    String prefix = "Bearer ";
    if (auth == null || !auth.regionMatches(true, 0, prefix, 0, prefix.length())) {
      call.header("WWW-Authenticate", "Bearer realm=\"mxwatch\"");
      throw new Call.HttpError(401, "this needs the bearer token: Authorization: Bearer TOKEN");
    }
    if (!sameSecret(auth.substring(prefix.length()).strip(), token.value())) {
      call.header("WWW-Authenticate", "Bearer realm=\"mxwatch\", error=\"invalid_token\"");
      throw new Call.HttpError(401, "the bearer token is wrong");
    }
  }

  /** Compares in time independent of where they differ (and of their lengths: hashes are compared). */
  private static boolean sameSecret(String given, String expected) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] a = sha.digest(given.getBytes(StandardCharsets.UTF_8));
      byte[] b = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(a, b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Call.HttpError notFound(Call call) {
    return new Call.HttpError(404, "no such endpoint: " + String.join("/", call.segments()) + " (GET / lists them)");
  }
}
