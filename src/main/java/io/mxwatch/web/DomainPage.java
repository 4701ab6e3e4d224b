package io.mxwatch.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.ChangeCode;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.Observation;
import io.mxwatch.ops.OperationException;
import io.mxwatch.ops.Operations;
import io.mxwatch.snapshot.SnapshotJson;
import io.mxwatch.store.HistoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an on-call person needs of one domain, top to bottom: its status and why (the findings of
 * its latest check), each open change as before → after with what was removed and added marked,
 * the current records (MX with each address's SMTP probe, SPF with its include tree, DMARC), the
 * timeline of distinct snapshots, confirmed changes and approvals, and a diff between two
 * snapshots. Read from the store; everything in it came from the network and is escaped by the
 * template where it is written.
 */
public record DomainPage(
    String domain,
    boolean watched,
    String status,
    Instant lastCheckedAt,
    Instant lastChangeAt,
    boolean dnsFailing,
    List<Finding> findings,
    List<OpenChange> open,
    String ackToken,
    List<Exchange> mx,
    String mxNote,
    Policy spf,
    Policy dmarc,
    List<Event> timeline,
    List<SnapshotRef> snapshots,
    Diff diff) {

  /** How far back the timeline goes. */
  static final Duration TIMELINE = Duration.ofDays(30);
  /** Most timeline entries shown. */
  static final int MAX_TIMELINE = 200;

  public record Finding(String severity, String code, String subject, String message) {}

  /** A stretch of a value: removed (before) or added (after) when {@code changed}. */
  public record Part(String text, boolean changed) {}

  /**
   * @param firstSeen when the new state was first seen; null when unknown
   * @param confirmedAt when the checks confirmed it; null when unknown
   * @param note how far an MX change had propagated over the nameservers
   */
  public record OpenChange(
      String severity, String code, String subject, List<Part> before, List<Part> after, Instant firstSeen, Instant confirmedAt, String note, boolean approvable) {}

  public record Address(String address, String probe, String detail, String greeting) {}

  public record Exchange(int preference, String name, List<Address> addresses) {}

  /** An SPF or DMARC section: the lookup, the records, and a line or two of what they mean. */
  public record Policy(String outcome, List<String> records, List<String> lines) {}

  /** One entry of the timeline: {@code kind} snapshot, change or approval. */
  public record Event(Instant at, String kind, String severity, String text, String detail) {}

  public record SnapshotRef(long id, Instant firstSeen, String label) {}

  public record Diff(String from, String to, List<OpenChange> changes) {}

  /**
   * @param from, to snapshot ids to compare (null: no diff asked)
   * @throws OperationException not found for a domain neither watched nor ever checked, bad request for ids not its own
   */
  static DomainPage build(HistoryStore history, Operations ops, boolean watched, String name, Instant now, String from, String to) {
    HistoryStore.Overview o = history.overview(name);
    if (o == null && !watched) {
      throw Operations.neverChecked(name);
    }
    Instant since = now.minus(TIMELINE);
    List<HistoryStore.StoredEvent> events = history.events(name, Instant.EPOCH);
    List<HistoryStore.StoredSnapshot> snapshots = history.snapshots(name, since);
    List<Event> timeline = timeline(snapshots, events.stream().filter(e -> !e.confirmedAt().isBefore(since)).toList(), history.approvals(name, since));
    List<SnapshotRef> refs = snapshots.stream()
        .sorted(Comparator.comparing(HistoryStore.StoredSnapshot::firstSeen).reversed())
        .map(s -> new SnapshotRef(s.id(), s.firstSeen(), "#" + s.id() + " " + s.status().toLowerCase(java.util.Locale.ROOT) + ", from " + s.firstSeen().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .toList();
    Diff diff = from == null || to == null ? null : diff(history, name, snapshots, from, to);
    if (o == null) {
      return new DomainPage(name, true, null, null, null, false, List.of(), List.of(), null, List.of(), null, null, null, timeline, refs, diff);
    }
    List<OpenChange> open = new ArrayList<>();
    Map<String, HistoryStore.StoredEvent> latest = new HashMap<>();
    events.forEach(e -> latest.put(e.code() + " " + e.subject(), e)); // oldest first: the last one stays
    boolean approvable = false;
    for (Change c : ops.open(name, o.state())) {
      HistoryStore.StoredEvent e = latest.get(c.code() + " " + c.subject());
      boolean canAck = ChangeCode.approvable(c.code());
      approvable |= canAck;
      open.add(change(c, e, canAck));
    }
    JsonNode check = latestCheck(history, name);
    return new DomainPage(
        name, watched, o.lastStatus(), o.lastCheckedAt(), o.lastChangeAt(), o.state().failing(),
        findings(check), open, approvable ? Operations.ackToken(o.state()) : null,
        exchanges(check), mxNote(check), spf(check), dmarc(check), timeline, refs, diff);
  }

  private static OpenChange change(Change c, HistoryStore.StoredEvent e, boolean approvable) {
    List<List<Part>> parts = Marks.of(c.before(), c.after());
    return new OpenChange(c.severity().label(), c.code(), c.subject(), parts.get(0), parts.get(1),
        e == null ? null : e.detectedAt(), e == null ? null : e.confirmedAt(), e == null ? null : e.note(), approvable);
  }

  private static Diff diff(HistoryStore history, String name, List<HistoryStore.StoredSnapshot> known, String from, String to) {
    HistoryStore.StoredSnapshot a = snapshot(known, from);
    HistoryStore.StoredSnapshot b = snapshot(known, to);
    Observation before = history.observationAt(name, a.firstSeen());
    Observation after = history.observationAt(name, b.firstSeen());
    List<OpenChange> changes = new ArrayList<>();
    if (before != null && after != null) {
      for (Change c : DriftEngine.diff(before.state(), after.state())) {
        changes.add(change(c, null, false));
      }
    }
    return new Diff("#" + a.id(), "#" + b.id(), changes);
  }

  private static HistoryStore.StoredSnapshot snapshot(List<HistoryStore.StoredSnapshot> known, String id) {
    try {
      long n = Long.parseLong(id.startsWith("#") ? id.substring(1) : id);
      return known.stream().filter(s -> s.id() == n).findFirst()
          .orElseThrow(() -> new OperationException(OperationException.Reason.BAD_REQUEST, "snapshot #" + n + " is not one of this domain's last " + TIMELINE.toDays() + " days"));
    } catch (NumberFormatException e) {
      throw new OperationException(OperationException.Reason.BAD_REQUEST, "'" + id + "' is not a snapshot id");
    }
  }

  private static List<Event> timeline(List<HistoryStore.StoredSnapshot> snapshots, List<HistoryStore.StoredEvent> events, List<HistoryStore.StoredApproval> approvals) {
    List<Event> out = new ArrayList<>();
    for (HistoryStore.StoredSnapshot s : snapshots) {
      String seen = s.seenCount() == 1 ? "seen once" : "seen " + s.seenCount() + " times, for " + Durations.between(s.firstSeen(), s.lastSeen());
      out.add(new Event(s.firstSeen(), "snapshot", null, "snapshot #" + s.id() + ": " + s.status().toLowerCase(java.util.Locale.ROOT), seen));
    }
    for (HistoryStore.StoredEvent e : events) {
      out.add(new Event(e.confirmedAt(), "change", e.severity(), e.code() + " " + e.subject() + ": " + e.before() + " → " + e.after(),
          "first seen " + e.detectedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + (e.note() == null ? "" : "; nameservers: " + e.note())));
    }
    for (HistoryStore.StoredApproval a : approvals) {
      out.add(new Event(a.at(), "approval", null, "approved by " + a.by(), a.reason()));
    }
    out.sort(Comparator.comparing(Event::at).reversed());
    return out.size() > MAX_TIMELINE ? out.subList(0, MAX_TIMELINE) : out;
  }

  private static JsonNode latestCheck(HistoryStore history, String name) {
    HistoryStore.StoredCheck stored = history.latestCheck(name);
    if (stored == null) {
      return null;
    }
    try {
      return SnapshotJson.mapper().readTree(stored.checkJson()); // {"snapshot": …, "audit": …}
    } catch (IOException e) {
      throw new UncheckedIOException("the latest check of " + name + " does not read back", e);
    }
  }

  private static List<Finding> findings(JsonNode check) {
    List<Finding> out = new ArrayList<>();
    if (check != null) {
      for (JsonNode f : check.path("audit").path("findings")) {
        out.add(new Finding(f.path("severity").asText(), f.path("code").asText(), f.path("subject").asText(), f.path("message").asText()));
      }
    }
    return out;
  }

  private static List<Exchange> exchanges(JsonNode check) {
    List<Exchange> out = new ArrayList<>();
    if (check == null) {
      return out;
    }
    Map<String, JsonNode> probes = new HashMap<>();
    for (JsonNode p : check.path("snapshot").path("smtp")) {
      probes.put(p.path("address").asText(), p);
    }
    for (JsonNode h : check.path("snapshot").path("mx").path("hosts")) {
      List<Address> addresses = new ArrayList<>();
      for (JsonNode a : h.path("addresses")) {
        String ip = a.path("address").asText();
        JsonNode p = probes.get(ip);
        addresses.add(p == null
            ? new Address(ip, "not probed", "", "")
            : new Address(ip, p.path("outcome").asText(), probeDetail(p), String.join(" ", texts(p.path("greeting")))));
      }
      out.add(new Exchange(h.path("preference").asInt(), h.path("exchange").asText(), addresses));
    }
    return out;
  }

  private static String probeDetail(JsonNode p) {
    return switch (p.path("outcome").asText()) {
      case "ok" -> Math.round(p.path("greeting_ms").asDouble()) + " ms" + (texts(p.path("extensions")).contains("STARTTLS") ? ", STARTTLS" : ", no STARTTLS");
      case "rejected" -> "code " + p.path("code").asText();
      case "bad_greeting" -> p.path("reason").asText();
      case "timeout", "reset" -> "at " + p.path("phase").asText();
      case "denied" -> "in " + p.path("range").asText();
      default -> p.path("detail").asText("");
    };
  }

  private static String mxNote(JsonNode check) {
    if (check == null) {
      return null;
    }
    JsonNode mx = check.path("snapshot").path("mx");
    return switch (mx.path("mode").asText()) {
      case "null_mx" -> "a null MX (RFC 7505): the domain takes no mail";
      case "implicit" -> "no MX records: mail goes to the domain's own address (RFC 5321 §5.1)";
      case "none" -> "no MX records and no address: mail cannot be delivered";
      case "unknown" -> "unknown: the MX lookup failed (" + mx.path("outcome").asText() + ")";
      default -> null;
    };
  }

  private static Policy spf(JsonNode check) {
    JsonNode spf = check == null ? null : check.path("snapshot").path("spf");
    if (spf == null || spf.isMissingNode()) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    if (spf.has("dns_lookups")) {
      lines.add((spf.path("complete").asBoolean(true) ? "" : "at least ") + spf.path("dns_lookups").asInt() + "/10 DNS lookups, " + spf.path("void_lookups").asInt() + "/2 void lookups");
    }
    for (JsonNode inc : spf.path("includes")) {
      lines.add("  ".repeat(Math.max(0, inc.path("depth").asInt() - 1)) + "↳ " + inc.path("domain").asText() + " (" + (inc.path("via").asText("include")) + ")"
          + (inc.path("problem").isMissingNode() ? "" : ": " + inc.path("problem").asText()));
    }
    return new Policy(spf.path("outcome").asText(), texts(spf.path("records")), lines);
  }

  private static Policy dmarc(JsonNode check) {
    JsonNode dmarc = check == null ? null : check.path("snapshot").path("dmarc");
    if (dmarc == null || dmarc.isMissingNode()) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    JsonNode r = dmarc.path("record");
    if (r.has("policy")) {
      lines.add("policy " + r.path("policy").asText() + ", subdomains " + r.path("subdomain_policy").asText(r.path("policy").asText()));
    }
    return new Policy(dmarc.path("outcome").asText(), texts(dmarc.path("records")), lines);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(n.asText());
    }
    return out;
  }

  /** Durations as people read them: {@code 3 days}, {@code 5 h}, {@code 12 min}. */
  static final class Durations {
    private Durations() {}

    static String between(Instant a, Instant b) {
      Duration d = Duration.between(a, b);
      if (d.toDays() >= 2) {
        return d.toDays() + " days";
      }
      if (d.toHours() >= 2) {
        return d.toHours() + " h";
      }
      if (d.toMinutes() >= 1) {
        return d.toMinutes() + " min";
      }
      return d.toSeconds() + " s";
    }
  }
}
