package io.mxwatch.web;

import io.mxwatch.audit.Severity;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.metrics.DomainMetrics;
import io.mxwatch.ops.DomainListing;
import io.mxwatch.ops.OperationException;
import io.mxwatch.ops.Operations;
import io.mxwatch.store.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The overview: how many domains are in each status and how many changes are open, then a page of
 * domains, worst first (critical, unknown, warning, ok, never checked; by name within each), each
 * with what an on-call person scans for. A page is a few indexed reads however many domains are
 * watched: the statuses are walked in order, each from where the last page stopped.
 *
 * @param counts domains by status, worst first
 * @param open open changes by severity, worst first
 * @param rows this page's domains
 * @param status the status filter ("" for all)
 * @param name the name filter as typed ("" for none)
 * @param next the query string of the next page; null on the last
 */
public record OverviewPage(List<Count> counts, List<Count> open, int watched, List<Row> rows, String status, String name, String next, boolean first) {

  /** The order rows are listed in, and the statuses a filter may name. */
  public static final List<String> ORDER = List.of("critical", "unknown", "warning", "ok", DomainListing.UNCHECKED);

  /** Domains a page. */
  public static final int PAGE = 50;

  public record Count(String label, int count) {}

  /**
   * One domain.
   *
   * @param worst the severity of its worst open change; null when none is open
   * @param exchanges reachable of deliverable exchanges, "–" when unknown to this process
   */
  public record Row(String domain, String status, int open, String worst, String exchanges, String dmarc, String spf, Instant lastCheckedAt, Instant lastChangeAt) {
    public String href() {
      return "/domains/" + domain;
    }
  }

  /**
   * The page after {@code cursor} ({@code STATUS_INDEX:LAST_NAME}; null from the start).
   *
   * @throws OperationException (bad request) for a filter or cursor that does not parse
   */
  static OverviewPage build(HistoryStore history, DomainMetrics metrics, Operations ops, MxwatchConfig config, String status, String name, String cursor) {
    String statusFilter = status == null ? "" : status.strip().toLowerCase(java.util.Locale.ROOT);
    if (!statusFilter.isEmpty() && !ORDER.contains(statusFilter)) {
      throw new OperationException(OperationException.Reason.BAD_REQUEST, "status: '" + statusFilter + "' is not one of " + String.join(", ", ORDER));
    }
    String nameFilter = name == null ? "" : name.strip();
    var pattern = DomainListing.Query.pattern(nameFilter);
    int from = 0;
    String after = null;
    if (cursor != null && !cursor.isBlank()) {
      int colon = cursor.indexOf(':');
      try {
        from = Integer.parseInt(cursor.substring(0, colon));
        after = Operations.domain(cursor.substring(colon + 1));
      } catch (RuntimeException e) {
        throw new OperationException(OperationException.Reason.BAD_REQUEST, "after: '" + cursor + "' is not a page of this list");
      }
      if (from < 0 || from >= ORDER.size()) {
        throw new OperationException(OperationException.Reason.BAD_REQUEST, "after: '" + cursor + "' is not a page of this list");
      }
    }
    List<Row> rows = new ArrayList<>();
    DomainListing listing = new DomainListing(history, ops, config);
    String next = null;
    for (int i = from; i < ORDER.size() && rows.size() <= PAGE; i++) {
      String s = ORDER.get(i);
      if (!statusFilter.isEmpty() && !statusFilter.equals(s)) {
        continue;
      }
      int want = PAGE + 1 - rows.size(); // one more than fits: whether there is a next page
      List<DomainListing.Row> got = new ArrayList<>();
      listing.list(new DomainListing.Query(Set.of(s), false, pattern, i == from ? after : null, want), got::add);
      for (DomainListing.Row r : got) {
        if (rows.size() == PAGE) {
          next = "after=" + i + ":" + rows.getLast().domain();
          break;
        }
        rows.add(row(r, metrics.figures(r.domain())));
      }
      if (next != null) {
        break;
      }
    }
    if (next != null) {
      next += (statusFilter.isEmpty() ? "" : "&status=" + statusFilter) + (nameFilter.isEmpty() ? "" : "&name=" + java.net.URLEncoder.encode(nameFilter, java.nio.charset.StandardCharsets.UTF_8));
    }
    DomainMetrics.Summary summary = metrics.summary();
    List<Count> counts = ORDER.stream().map(s -> new Count(s, summary.byStatus().getOrDefault(s, 0))).toList();
    List<Count> open = List.of(
        new Count("critical", summary.openBySeverity().getOrDefault(Severity.CRITICAL, 0)),
        new Count("warning", summary.openBySeverity().getOrDefault(Severity.WARNING, 0)),
        new Count("info", summary.openBySeverity().getOrDefault(Severity.INFO, 0)));
    return new OverviewPage(counts, open, config.watch().domains().size(), rows, statusFilter, nameFilter, next, cursor == null || cursor.isBlank());
  }

  private static Row row(DomainListing.Row r, DomainMetrics.Figures f) {
    Severity worst = r.open().stream().map(Change::severity).max(Severity::compareTo).orElse(null);
    String exchanges = f == null || Float.isNaN(f.exchanges()) ? "–" : Float.isNaN(f.reachable()) ? (int) f.exchanges() + " (not probed)" : (int) f.reachable() + "/" + (int) f.exchanges();
    String dmarc = f == null || Float.isNaN(f.dmarcPolicy()) ? "–" : switch ((int) f.dmarcPolicy()) {
      case 0 -> "none";
      case 1 -> "quarantine";
      case 2 -> "reject";
      default -> "missing";
    };
    String spf = f == null || Float.isNaN(f.spfLookups()) ? "–" : (int) f.spfLookups() + "/10";
    return new Row(r.domain(), r.status(), r.open().size(), worst == null ? null : worst.label(), exchanges, dmarc, spf, r.lastCheckedAt(), r.lastChangeAt());
  }
}
