package io.mxwatch.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.http.UrlParts;
import io.mxwatch.metrics.DomainMetrics;
import io.mxwatch.ops.OperationException;
import io.mxwatch.ops.Operations;
import io.mxwatch.store.AlertStore;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages for people, on the listener of the JSON API: {@code /} (the overview, to browsers; other
 * clients still get the plain-text index), {@code /domains/DOMAIN} with its approve and silence
 * forms, {@code /session} (the write token entered once), {@code /static/mxwatch.css}. Templates
 * escape everything they write (jte, HTML by context); a strict Content-Security-Policy allows no
 * script at all and nothing from elsewhere; every write needs the session cookie, the form's CSRF
 * value and a request from this origin.
 */
public final class WebPages extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(WebPages.class);
  /** Nothing but this origin's stylesheet and forms: no script runs, nothing frames the pages. */
  static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  /** The largest form accepted: an approval or a silence is a few hundred bytes. */
  static final int MAX_FORM = 16 * 1024;

  /** What the pages read and act on (the JSON API's backend, in the parts they need). */
  public record Backend(HistoryStore history, AlertStore alerts, DomainMetrics metrics, Supplier<MxwatchConfig> config, Clock clock) {}

  private final Backend backend;
  private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html, WebPages.class.getClassLoader(), "io.mxwatch.web.templates");
  private final byte[] css;

  public WebPages(Backend backend) {
    this.backend = backend;
    try (InputStream in = WebPages.class.getResourceAsStream("/web/mxwatch.css")) {
      this.css = in.readAllBytes();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the stylesheet is missing from the jar", e);
    }
  }

  /** The requests of a page: its path, query, form, cookies. */
  private record Page(Request request, Response response, List<String> segments, Map<String, String> query) {
    String header(String name) {
      return request.getHeaders().get(name);
    }

    String path() {
      return request.getHttpURI().getPath();
    }
  }

  /** An answer other than the page asked for: {@code status} with a message page. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    List<String> segments;
    try {
      segments = UrlParts.segments(path);
    } catch (IllegalArgumentException e) {
      return false; // the API answers 400 for it
    }
    if (!mine(request, segments)) {
      return false;
    }
    Map<String, String> query;
    try {
      query = UrlParts.parameters(request.getHttpURI().getQuery());
    } catch (IllegalArgumentException e) {
      query = null;
    }
    Page page = new Page(request, response, segments, query == null ? Map.of() : query);
    try {
      if (query == null) {
        throw new Refused(400, "The address's query is not valid percent-encoding.");
      }
      route(page);
      callback.succeeded();
    } catch (Refused e) {
      answer(page, e.status, e.getMessage(), callback);
    } catch (OperationException e) {
      int status = switch (e.reason()) {
        case BAD_REQUEST -> 400;
        case NOT_FOUND -> 404;
        case CONFLICT -> 409;
      };
      answer(page, status, e.getMessage(), callback);
    } catch (StoreException e) {
      log.error("{} {} failed: {}", request.getMethod(), path, e.getMessage(), e);
      answer(page, 503, "The store failed; the daemon's log says why.", callback);
    } catch (IOException e) {
      log.debug("{} {}: the client went away: {}", request.getMethod(), path, e.toString());
      callback.failed(e);
    } catch (RuntimeException e) {
      log.error("{} {} failed", request.getMethod(), path, e);
      answer(page, 500, "Internal error; the daemon's log says why.", callback);
    }
    return true;
  }

  /** The requests these pages answer: the rest is the API's. */
  private static boolean mine(Request request, List<String> s) {
    if (s.isEmpty()) {
      String accept = request.getHeaders().get(HttpHeader.ACCEPT);
      return accept != null && accept.contains("text/html"); // a browser; curl gets the index
    }
    return switch (s.getFirst()) {
      case "domains", "session" -> true;
      case "static" -> s.size() == 2 && s.get(1).equals("mxwatch.css");
      default -> false;
    };
  }

  private void route(Page p) throws IOException {
    List<String> s = p.segments();
    String method = p.request().getMethod();
    if (s.isEmpty()) {
      get(p);
      overview(p);
      return;
    }
    switch (s.getFirst()) {
      case "static" -> {
        get(p);
        p.response().getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=3600");
        send(p, 200, "text/css; charset=utf-8", css);
      }
      case "session" -> {
        if (s.size() == 1 && method.equals("POST")) {
          signIn(p);
        } else if (s.size() == 1) {
          get(p);
          String back = local(p.query().get("back"));
          render(p, 200, "session.jte", Map.of("chrome", chrome(p, "Sign in", null, false), "back", back));
        } else if (s.size() == 2 && s.get(1).equals("end")) {
          post(p);
          signOut(p);
        } else {
          throw new Refused(404, "No such page.");
        }
      }
      case "domains" -> {
        if (s.size() == 2) {
          get(p);
          domain(p, s.get(1));
        } else if (s.size() == 3 && s.get(2).equals("ack")) {
          post(p);
          ack(p, s.get(1));
        } else if (s.size() == 3 && s.get(2).equals("silence")) {
          post(p);
          silence(p, s.get(1));
        } else {
          throw new Refused(404, "No such page.");
        }
      }
      default -> throw new Refused(404, "No such page.");
    }
  }

  private void overview(Page p) throws IOException {
    MxwatchConfig config = backend.config().get();
    OverviewPage page = OverviewPage.build(backend.history(), backend.metrics(), ops(config), config, p.query().get("status"), p.query().get("name"), p.query().get("after"));
    render(p, 200, "overview.jte", Map.of("chrome", chrome(p, "Overview", done(p), false), "page", page));
  }

  private void domain(Page p, String input) throws IOException {
    MxwatchConfig config = backend.config().get();
    String name = Operations.domain(input);
    DomainPage page = DomainPage.build(
        backend.history(), ops(config), config.watch().domain(name).isPresent(), name, backend.clock().instant(), p.query().get("from"), p.query().get("to"));
    render(p, 200, "domain.jte", Map.of("chrome", chrome(p, name, done(p), false), "page", page));
  }

  private void ack(Page p, String input) throws IOException {
    Map<String, String> form = writeForm(p);
    Operations.Ack ack = ops(backend.config().get()).ack(input, form.get("by"), form.get("reason"), form.get("expect"));
    String name = Operations.domain(input);
    redirect(p, "/domains/" + name + "?done=" + (ack.approved().isEmpty() ? "nothing" : "approved"));
  }

  private void silence(Page p, String input) throws IOException {
    Map<String, String> form = writeForm(p);
    String name = Operations.domain(input);
    ops(backend.config().get()).silence(name, form.get("duration"), form.get("reason"), form.get("by"));
    redirect(p, "/domains/" + name + "?done=silenced");
  }

  private void signIn(Page p) throws IOException {
    sameOrigin(p);
    Session session = session();
    if (session == null) {
      throw new Refused(403, "Writes are off: set http.token_file (or MXWATCH_HTTP_TOKEN) to approve and silence from these pages.");
    }
    Map<String, String> form = form(p);
    if (!session.isToken(form.getOrDefault("token", ""))) {
      throw new Refused(403, "That is not the write token.");
    }
    String back = local(form.get("back"));
    p.response().getHeaders().add(HttpHeader.SET_COOKIE, cookie(p, session.cookieValue(backend.clock().instant()), false));
    redirect(p, back + (back.contains("?") ? "&" : "?") + "done=signed-in");
  }

  private void signOut(Page p) throws IOException {
    writeForm(p);
    p.response().getHeaders().add(HttpHeader.SET_COOKIE, cookie(p, "", true));
    redirect(p, "/?done=signed-out");
  }

  /** The form of a write: from this origin, from a signed-in browser, with the form's CSRF value. */
  private Map<String, String> writeForm(Page p) throws IOException {
    sameOrigin(p);
    Session session = session();
    if (session == null) {
      throw new Refused(403, "Writes are off: set http.token_file (or MXWATCH_HTTP_TOKEN) to approve and silence from these pages.");
    }
    if (!session.isSession(cookie(p), backend.clock().instant())) {
      throw new Refused(403, "Sign in with the write token first (a sign-in lasts " + Session.LIFETIME.toHours() + " hours).");
    }
    Map<String, String> form = form(p);
    if (!session.isCsrf(form.get("csrf"), cookie(p))) {
      throw new Refused(403, "This form did not come from this page (its CSRF value is missing or wrong): reload the page and try again.");
    }
    return form;
  }

  /**
   * Refuses a write that a page of another origin made the browser send: the Origin header names
   * another site (or an opaque one), or the browser says the request is cross-site.
   */
  private static void sameOrigin(Page p) {
    String origin = p.header("Origin");
    String host = p.header("Host");
    if (origin != null) {
      String authority;
      try {
        URI o = URI.create(origin);
        authority = o.getHost() == null ? null : o.getHost() + (o.getPort() == -1 ? "" : ":" + o.getPort());
      } catch (IllegalArgumentException e) {
        authority = null;
      }
      if (authority == null || host == null || !authority.equalsIgnoreCase(host)) {
        throw new Refused(403, "Refused: the form was sent from another site (" + origin + ").");
      }
    }
    String site = p.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw new Refused(403, "Refused: the form was sent from another site.");
    }
  }

  private Session session() {
    MxwatchConfig.Secret token = backend.config().get().http().token();
    return token == null ? null : new Session(token.value());
  }

  private static String cookie(Page p) {
    String header = p.header("Cookie");
    if (header == null) {
      return null;
    }
    for (String pair : header.split(";")) {
      String[] kv = pair.strip().split("=", 2);
      if (kv.length == 2 && kv[0].equals(Session.COOKIE)) {
        return kv[1];
      }
    }
    return null;
  }

  private static String cookie(Page p, String value, boolean expire) {
    boolean https = "https".equalsIgnoreCase(p.request().getHttpURI().getScheme()) || "https".equalsIgnoreCase(p.header("X-Forwarded-Proto"));
    return Session.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "") + "; Max-Age=" + (expire ? 0 : Session.LIFETIME.toSeconds());
  }

  private Chrome chrome(Page p, String title, String message, boolean error) {
    Session session = session();
    boolean signedIn = session != null && session.isSession(cookie(p), backend.clock().instant());
    String path = p.path() + (p.request().getHttpURI().getQuery() == null ? "" : "?" + p.request().getHttpURI().getQuery());
    return new Chrome(title, session != null, signedIn, signedIn ? session.csrf(cookie(p)) : null, message, error, backend.clock().instant(), local(path));
  }

  /** The message after a write, from a fixed set: the query cannot put words on the page. */
  private static String done(Page p) {
    String done = p.query().get("done");
    return done == null ? null : switch (done) {
      case "approved" -> "Approved: the current state is the new baseline.";
      case "nothing" -> "Nothing was open to approve.";
      case "silenced" -> "Silenced: its alerts are recorded but not sent until the silence ends.";
      case "signed-in" -> "Signed in: this browser can approve and silence until you sign out.";
      case "signed-out" -> "Signed out.";
      default -> null;
    };
  }

  private void answer(Page p, int status, String message, Callback callback) {
    try {
      String heading = switch (status) {
        case 400 -> "Bad request";
        case 403 -> "Not allowed";
        case 404 -> "Not found";
        case 405 -> "Method not allowed";
        case 409 -> "Changed meanwhile";
        case 413 -> "Too large";
        case 503 -> "Unavailable";
        default -> "Error";
      };
      render(p, status, "message.jte", Map.of("chrome", chrome(p, heading, null, false), "heading", heading, "text", message));
      callback.succeeded();
    } catch (IOException | RuntimeException e) {
      callback.failed(e);
    }
  }

  private void render(Page p, int status, String template, Map<String, Object> params) throws IOException {
    StringOutput out = new StringOutput();
    templates.render(template, params, out);
    p.response().getHeaders().put("Content-Security-Policy", CSP);
    p.response().getHeaders().put("Referrer-Policy", "same-origin");
    p.response().getHeaders().put("X-Frame-Options", "DENY");
    p.response().getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    send(p, status, "text/html; charset=utf-8", out.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void send(Page p, int status, String type, byte[] body) throws IOException {
    Response r = p.response();
    r.setStatus(status);
    r.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    r.getHeaders().put("X-Content-Type-Options", "nosniff");
    r.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    if (!p.request().getMethod().equals("HEAD")) {
      try (OutputStream out = Content.Sink.asOutputStream(r)) {
        out.write(body);
      }
    }
  }

  private static void redirect(Page p, String location) throws IOException {
    p.response().getHeaders().put(HttpHeader.LOCATION, location);
    send(p, 303, "text/plain; charset=utf-8", ("See " + location + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** A path on this site to go back to: anything else (another site, "//host") becomes "/". */
  static String local(String path) {
    if (path == null || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\") || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "/";
    }
    return path;
  }

  private static void get(Page p) {
    String m = p.request().getMethod();
    if (!m.equals("GET") && !m.equals("HEAD")) {
      p.response().getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      throw new Refused(405, m + " is not allowed here.");
    }
  }

  private static void post(Page p) {
    if (!p.request().getMethod().equals("POST")) {
      p.response().getHeaders().put(HttpHeader.ALLOW, "POST");
      throw new Refused(405, p.request().getMethod() + " is not allowed here: the form sends POST.");
    }
  }

  /** The request's urlencoded form, at most {@value #MAX_FORM} bytes. */
  private static Map<String, String> form(Page p) throws IOException {
    String type = p.header("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new Refused(400, "Send the form as application/x-www-form-urlencoded.");
    }
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(p.request())) {
      body = in.readNBytes(MAX_FORM + 1);
    }
    if (body.length > MAX_FORM) {
      throw new Refused(413, "The form is larger than " + MAX_FORM / 1024 + " KiB.");
    }
    try {
      return UrlParts.parameters(new String(body, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "The form is not valid percent-encoding.");
    }
  }

  private Operations ops(MxwatchConfig config) {
    return new Operations(backend.history(), backend.alerts(), config, backend.clock());
  }
}
