package io.mxwatch.alert;

import io.mxwatch.audit.Severity;
import io.mxwatch.drift.ChangeCode;
import io.mxwatch.drift.DomainState;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a notification as an email people can act on: what changed (before → after), since when
 * and which checks confirmed it, the current SMTP probes, how to approve it. Everything that came
 * from the network is escaped for HTML and made printable and short.
 */
public final class EmailComposer {
  /** Most alerts listed in one email; the rest are counted. */
  static final int MAX_LISTED = 50;
  /** Longest value (a record, a banner) shown. */
  static final int MAX_VALUE = 300;
  static final int MAX_SUBJECT = 200;


  /**
   * What the email says besides the notification.
   *
   * @param from the sender; the Message-IDs are made under its domain
   * @param publicUrl the daemon as people reach it; null when none
   * @param configPath the configuration the daemon runs with, for the ack command; null when unknown
   * @param confirmations how many consecutive checks confirm a change of this domain
   * @param current the domain's latest known state, for the SMTP probes; null when unknown
   * @param history when each change was first seen and confirmed
   * @param silenced alerts firing under a silence, which are not sent
   */
  public record Context(
      String route,
      List<String> to,
      String from,
      URI publicUrl,
      String configPath,
      int confirmations,
      DomainState current,
      List<AlertRepository.Confirmation> history,
      List<Alert> silenced) {
    public Context {
      to = List.copyOf(to);
      history = List.copyOf(history);
      silenced = List.copyOf(silenced);
    }
  }

  public Email compose(Notification n, Context ctx) {
    String domain = n.domain();
    boolean resolved = n.kind() == Notification.Kind.RESOLVED;
    List<Alert> main = resolved ? n.resolved() : n.firing();
    Severity severity = main.stream().map(Alert::severity).max(Comparator.naturalOrder()).orElse(Severity.INFO);
    String label = resolved ? "RESOLVED" : severity.name();
    String subject = "[mxwatch] " + label + " " + domain + ": " + summary(main.getFirst()) + (main.size() > 1 ? " (+" + (main.size() - 1) + " more)" : "");
    String idDomain = idDomain(ctx.from());
    String messageId = messageId(n, ctx.route(), n.sequence(), idDomain);
    String inReplyTo = n.sequence() > 1 ? messageId(n, ctx.route(), 1, idDomain) : null;
    Body text = new Body(false);
    Body html = new Body(true);
    for (Body b : List.of(text, html)) {
      render(b, n, ctx, label, main);
    }
    return new Email(
        domain,
        ctx.route(),
        n.kind(),
        severity,
        messageId,
        inReplyTo,
        ctx.to(),
        Untrusted.header(subject, MAX_SUBJECT),
        text.toString(),
        html.toString(),
        n.at());
  }

  /** The test email of {@code mxwatch alert test}: to every recipient, saying which configuration sent it. */
  public Email test(String from, List<String> to, String configFile, Instant now) {
    String body = "This is a test email from mxwatch (" + configFile + "): alert emails reach you.";
    return new Email(
        "test",
        "test",
        Notification.Kind.FIRING,
        Severity.INFO,
        "<test." + now.toEpochMilli() + "." + ProcessHandle.current().pid() + "@" + idDomain(from) + ">",
        null,
        to,
        "[mxwatch] TEST: alert emails work",
        body + "\n",
        "<!DOCTYPE html>\n<html><body><p>" + Untrusted.html(body) + "</p></body></html>\n",
        now);
  }

  /** Message-IDs are made under the sender's domain. */
  private static String idDomain(String from) {
    return from.substring(from.indexOf('@') + 1);
  }

  /** {@code <episode-start.sequence.route.domain@from-domain>}: the same for every attempt, and the episode's first names the thread. */
  static String messageId(Notification n, String route, long sequence, String idDomain) {
    return "<" + n.episodeStart().toEpochMilli() + "." + sequence + "." + route + "." + n.domain() + "@" + idDomain + ">";
  }

  /** The alert in a few words, e.g. {@code MX mx1.example.com removed}. */
  static String summary(Alert a) {
    String s = a.key().subject();
    return switch (a.key().code()) {
      case "MX_REMOVED" -> "MX " + s + " removed";
      case "MX_ADDED" -> "MX " + s + " added";
      case "MX_PREFERENCE_CHANGED" -> "MX " + s + " preference " + a.before() + " → " + a.after();
      case "MX_ADDRESS_CHANGED" -> "MX " + s + " addresses changed";
      case "MX_TTL_CHANGED" -> "MX " + s + " TTL changed";
      case "SMTP_BECAME_UNREACHABLE" -> s + " unreachable";
      case "SMTP_BANNER_CHANGED" -> s + " banner changed";
      case "SPF_REMOVED" -> "SPF record removed";
      case "SPF_CHANGED" -> "SPF record changed";
      case "SPF_ADDED" -> "SPF record added";
      case "DMARC_REMOVED" -> "DMARC record removed";
      case "DMARC_POLICY_WEAKENED" -> "DMARC policy weakened";
      case "DMARC_CHANGED" -> "DMARC record changed";
      case "DMARC_ADDED" -> "DMARC record added";
      case "DNS_LOOKUP_FAILING" -> "DNS lookups failing";
      case "EXPECTATION_MISMATCH" -> "not as expected: " + s;
      default -> a.key().code() + " " + s;
    };
  }

  private void render(Body b, Notification n, EmailComposer.Context ctx, String label, List<Alert> main) {
    String domain = n.domain();
    boolean resolved = n.kind() == Notification.Kind.RESOLVED;
    b.heading(label + " " + domain + ": " + (resolved ? "everything reported has cleared" : count(main.size(), "alert") + " firing"));
    if (!resolved) {
      b.alerts(main, ctx);
    }
    if (!n.resolved().isEmpty()) {
      b.section(resolved ? "Resolved" : "Resolved since the last message");
      b.alerts(n.resolved(), ctx);
    }
    if (!ctx.silenced().isEmpty()) {
      b.section("Silenced (recorded, not sent)");
      b.alerts(ctx.silenced(), ctx);
    }
    probes(b, ctx.current());
    if (!resolved) {
      b.section("What to do");
      boolean approvable = main.stream().anyMatch(a -> ChangeCode.approvable(a.key().code()));
      if (approvable) {
        b.para("If the change is intended, approve the current state as the new baseline:");
        b.code("mxwatch ack " + domain + (ctx.configPath() == null ? "" : " --config " + ctx.configPath()) + " --reason \"…\"");
        if (ctx.publicUrl() != null) {
          b.para("or with the form on the Details page below.");
        }
      }
      if (main.stream().anyMatch(a -> !ChangeCode.approvable(a.key().code()))) {
        b.para("EXPECTATION_MISMATCH and DNS_LOOKUP_FAILING cannot be approved: fix the records, or the expectation in the configuration.");
      }
    }
    if (ctx.publicUrl() != null) {
      // the page for people (before → after, history, the approve form); the same as JSON for scripts
      b.link("Details", ctx.publicUrl().resolve("domains/" + domain).toString());
      b.link("JSON", ctx.publicUrl().resolve("api/domains/" + domain).toString());
    }
    b.footer(
        "mxwatch · route " + ctx.route() + " · message " + n.sequence() + " of this episode · " + time(n.at()));
  }

  static void alert(Body b, Alert a, Context ctx) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("before", Untrusted.line(a.before(), MAX_VALUE));
    fields.put("after", Untrusted.line(a.after(), MAX_VALUE));
    fields.put("since", since(a, ctx));
    String note = note(a, ctx);
    if (note != null) {
      fields.put("nameservers", Untrusted.line(note, MAX_VALUE));
    }
    b.item(a.severity().label(), a.key().code() + " " + Untrusted.line(a.key().subject(), MAX_VALUE), fields);
  }

  /** The note of the alert's latest change event: how far an MX change had propagated; null when none. */
  private static String note(Alert a, Context ctx) {
    for (AlertRepository.Confirmation c : ctx.history()) {
      if (c.code().equals(a.key().code()) && c.subject().equals(a.key().subject())) {
        return c.note();
      }
    }
    return null;
  }

  private static String since(Alert a, Context ctx) {
    for (AlertRepository.Confirmation c : ctx.history()) {
      if (c.code().equals(a.key().code()) && c.subject().equals(a.key().subject())) {
        return time(c.detectedAt()) + ", confirmed by " + count(ctx.confirmations(), "consecutive check") + " at " + time(c.confirmedAt());
      }
    }
    return time(a.since());
  }

  private static void probes(Body b, DomainState current) {
    if (current == null || current.smtp() == null || current.smtp().isEmpty()) {
      return;
    }
    b.section("SMTP probes now");
    int shown = 0;
    for (Map.Entry<String, DomainState.Smtp> e : current.smtp().entrySet()) {
      if (shown++ == MAX_LISTED) {
        b.para("… and " + (current.smtp().size() - MAX_LISTED) + " more addresses");
        break;
      }
      DomainState.Smtp s = e.getValue();
      b.probe(Untrusted.line(e.getKey(), 64), s.reachable() ? "reachable" : "unreachable", s.shown() == null ? "" : Untrusted.line(s.shown(), MAX_VALUE));
    }
  }

  static String time(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** One body, as plain text or as HTML; every value given to it is already printable, and HTML escapes it. */
  static final class Body {
    private final boolean html;
    private final StringBuilder out = new StringBuilder();

    Body(boolean html) {
      this.html = html;
      if (html) {
        out.append("<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n");
      }
    }

    private static String esc(String s) {
      return Untrusted.html(s);
    }

    void heading(String s) {
      out.append(html ? "<h2>" + esc(s) + "</h2>\n" : s + "\n" + "=".repeat(Math.min(s.length(), 72)) + "\n\n");
    }

    void section(String s) {
      out.append(html ? "<h3>" + esc(s) + "</h3>\n" : "\n" + s + ":\n\n");
    }

    void para(String s) {
      out.append(html ? "<p>" + esc(s) + "</p>\n" : s + "\n");
    }

    void code(String s) {
      out.append(html ? "<pre>" + esc(s) + "</pre>\n" : "\n    " + s + "\n\n");
    }

    void link(String label, String url) {
      out.append(html ? "<p><a href=\"" + esc(url) + "\">" + esc(label) + "</a></p>\n" : "\n" + label + ": " + url + "\n");
    }

    void alerts(List<Alert> alerts, Context ctx) {
      if (html) {
        out.append("<table cellpadding=\"4\" style=\"border-collapse:collapse\">\n");
      }
      int shown = 0;
      for (Alert a : alerts) {
        if (shown++ == MAX_LISTED) {
          String more = "… and " + (alerts.size() - MAX_LISTED) + " more";
          out.append(html ? "<tr><td colspan=\"2\">" + esc(more) + "</td></tr>\n" : "  " + more + "\n");
          break;
        }
        alert(this, a, ctx);
      }
      if (html) {
        out.append("</table>\n");
      }
    }

    void item(String severity, String title, Map<String, String> fields) {
      List<String> order = fields.containsKey("nameservers") ? List.of("before", "after", "since", "nameservers") : List.of("before", "after", "since");
      if (html) {
        out.append("<tr><td><b>").append(esc(severity.toUpperCase(Locale.ROOT))).append("</b></td><td><b>").append(esc(title)).append("</b><br>\n");
        for (String k : order) {
          out.append(esc(k)).append(": <code>").append(esc(fields.get(k))).append("</code><br>\n");
        }
        out.append("</td></tr>\n");
      } else {
        out.append("  [").append(severity).append("] ").append(title).append('\n');
        for (String k : order) {
          out.append("      ").append(String.format("%-8s", k + ":")).append(k.length() >= 7 ? " " : "").append(fields.get(k)).append('\n');
        }
        out.append('\n');
      }
    }

    void probe(String address, String state, String banner) {
      if (html) {
        out.append("<p><code>").append(esc(address)).append("</code> ").append(esc(state));
        if (!banner.isEmpty()) {
          out.append(" <code>").append(esc(banner)).append("</code>");
        }
        out.append("</p>\n");
      } else {
        out.append("  ").append(String.format("%-40s %-12s %s", address, state, banner).stripTrailing()).append('\n');
      }
    }

    void footer(String s) {
      out.append(html ? "<hr><p style=\"color:#666\">" + esc(s) + "</p>\n</body></html>\n" : "\n-- \n" + s + "\n");
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
