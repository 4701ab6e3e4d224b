package io.mxwatch.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mxwatch.alert.SilenceRule;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.config.TimePoints;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.ChangeCode;
import io.mxwatch.ops.DomainListing;
import io.mxwatch.ops.Operations;
import io.mxwatch.snapshot.SnapshotJson;
import io.mxwatch.store.HistoryStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON API's answers, as records (written snake_case): what the store knows of each domain,
 * and the operator actions of {@link Operations}.
 */
final class DomainApi {
  static final Set<String> ACK_KEYS = Set.of("reason", "by", "expect");
  static final Set<String> SILENCE_KEYS = Set.of("domain", "duration", "reason", "by");

  private final HttpApi.Backend backend;

  DomainApi(HttpApi.Backend backend) {
    this.backend = backend;
  }

  /** One open change, and whether {@code ack} resolves it. */
  record OpenChange(String code, String severity, String subject, String before, String after, boolean approvable) {
    static OpenChange of(Change c) {
      return new OpenChange(c.code(), c.severity().label(), c.subject(), c.before(), c.after(), ChangeCode.approvable(c.code()));
    }
  }

  /** A domain in the list. */
  record DomainSummary(String domain, boolean watched, String status, Instant lastCheckedAt, Instant lastChangeAt, int openChanges, String url) {}

  /** A page of domains; {@code nextAfter} continues it ({@code ?after=}), null on the last page. */
  record Domains(int watched, List<DomainSummary> domains, String nextAfter) {}

  /** Domains per page by default, and at most. */
  static final int PAGE = 1000;

  static final int MAX_PAGE = 10_000;

  /** The latest stored check: the first of its run of identical checks, seen until {@code lastSeen}. */
  record Check(long snapshotId, String status, Instant firstSeen, Instant lastSeen, long seenCount, JsonNode result) {}

  record DomainDetail(
      String domain,
      boolean watched,
      String status,
      Instant lastCheckedAt,
      Instant lastChangeAt,
      boolean dnsLookupFailing,
      List<OpenChange> openChanges,
      String approve,
      String ackToken,
      Check check,
      String history) {}

  record History(String domain, Instant since, List<HistoryStore.StoredSnapshot> snapshots, List<HistoryStore.StoredEvent> changes, List<HistoryStore.StoredApproval> approvals) {}

  record Acked(String domain, String approvedBy, List<OpenChange> approved, List<OpenChange> stillOpen) {}

  record Silence(long id, String domain, Instant start, Instant end, String reason, String by, boolean fromConfig) {
    static Silence of(SilenceRule r) {
      return new Silence(r.id(), r.pattern().toString(), r.start(), r.end(), r.reason(), r.by(), r.id() == 0);
    }
  }

  record Silences(List<Silence> silences) {}

  /** A page of the domains, in name order, filtered as the query asks. */
  Domains domains(Call call) {
    MxwatchConfig config = backend.config().get();
    Operations ops = operations(config);
    int limit = PAGE;
    if (call.query("limit") != null) {
      try {
        limit = Integer.parseInt(call.query("limit"));
      } catch (NumberFormatException e) {
        throw new Call.HttpError(400, "limit: '" + call.query("limit") + "' is not a number");
      }
      if (limit < 1 || limit > MAX_PAGE) {
        throw new Call.HttpError(400, "limit: must be between 1 and " + MAX_PAGE + ", got " + limit);
      }
    }
    String open = call.query("open");
    if (open != null && !open.equals("true") && !open.equals("false")) {
      throw new Call.HttpError(400, "open: true or false, got '" + open + "'");
    }
    DomainListing.Query q =
        new DomainListing.Query(
            DomainListing.Query.statuses(call.query("status")),
            "true".equals(open),
            DomainListing.Query.pattern(call.query("domain")),
            call.query("after") == null ? null : Operations.domain(call.query("after")),
            limit);
    List<DomainSummary> out = new ArrayList<>();
    String next =
        new DomainListing(backend.history(), ops, config)
            .list(q, r -> out.add(new DomainSummary(r.domain(), r.watched(), r.status(), r.lastCheckedAt(), r.lastChangeAt(), r.open().size(), "/api/domains/" + r.domain())));
    return new Domains(config.watch().domains().size(), out, next);
  }

  DomainDetail domain(String input) throws IOException {
    MxwatchConfig config = backend.config().get();
    Operations ops = operations(config);
    String name = Operations.domain(input);
    boolean watched = config.watch().domain(name).isPresent();
    HistoryStore.Overview o = backend.history().overview(name);
    if (o == null && !watched) {
      throw Operations.neverChecked(name);
    }
    String path = "/api/domains/" + name;
    if (o == null) {
      return new DomainDetail(name, true, null, null, null, false, List.of(), null, null, null, path + "/history");
    }
    List<Change> open = ops.open(name, o.state());
    boolean approvable = open.stream().anyMatch(c -> ChangeCode.approvable(c.code()));
    String ackToken = approvable ? Operations.ackToken(o.state()) : null;
    HistoryStore.StoredCheck stored = backend.history().latestCheck(name);
    Check check =
        stored == null
            ? null
            : new Check(stored.id(), stored.status(), stored.firstSeen(), stored.lastSeen(), stored.seenCount(), SnapshotJson.mapper().readTree(stored.checkJson()));
    return new DomainDetail(
        name,
        watched,
        o.lastStatus(),
        o.lastCheckedAt(),
        o.lastChangeAt(),
        o.state().failing(),
        open.stream().map(OpenChange::of).toList(),
        approvable ? "POST " + path + "/ack {\"reason\": \"...\", \"by\": \"...\", \"expect\": \"" + ackToken + "\"} or: mxwatch ack " + name + " --reason TEXT" : null,
        ackToken,
        check,
        path + "/history");
  }

  History history(String input, String since) {
    String name = Operations.domain(input);
    Instant from;
    try {
      from = since == null ? Instant.EPOCH : TimePoints.parse(since, backend.clock().instant());
    } catch (IllegalArgumentException e) {
      throw new Call.HttpError(400, "since: " + e.getMessage());
    }
    if (backend.history().load(name).version() == 0 && backend.config().get().watch().domain(name).isEmpty()) {
      throw Operations.neverChecked(name);
    }
    HistoryStore h = backend.history();
    return new History(name, from, h.snapshots(name, from), h.events(name, from), h.approvals(name, from));
  }

  Acked ack(String input, Map<String, String> body) {
    Operations.Ack ack = operations(backend.config().get()).ack(input, body.get("by"), body.get("reason"), body.get("expect"));
    return new Acked(ack.domain(), ack.approved().isEmpty() ? null : ack.by(), ack.approved().stream().map(OpenChange::of).toList(), ack.stillOpen().stream().map(OpenChange::of).toList());
  }

  Silence silence(Map<String, String> body) {
    return Silence.of(operations(backend.config().get()).silence(body.get("domain"), body.get("duration"), body.get("reason"), body.get("by")));
  }

  Silences silences() {
    return new Silences(operations(backend.config().get()).silencesInForce().stream().map(Silence::of).toList());
  }

  Silences expire(String id) {
    long number;
    try {
      number = Long.parseLong(id.startsWith("#") ? id.substring(1) : id);
    } catch (NumberFormatException e) {
      throw new Call.HttpError(400, "'" + id + "' is not a silence id (a number, as GET /api/silences shows it)");
    }
    Operations ops = operations(backend.config().get());
    ops.expireSilence(number);
    return new Silences(ops.silencesInForce().stream().map(Silence::of).toList());
  }

  private Operations operations(MxwatchConfig config) {
    return new Operations(backend.history(), backend.alerts(), config, backend.clock());
  }
}
