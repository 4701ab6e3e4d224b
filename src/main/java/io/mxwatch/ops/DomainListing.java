package io.mxwatch.ops;

import io.mxwatch.config.DomainPattern;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.Expectations;
import io.mxwatch.store.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The domains an operator looks at, in name order, filtered and paged: every configured domain
 * (checked or not) and every domain the store remembers (also those no longer watched). Rows are
 * handed out as they are read, so a full list of 100,000 domains streams; filters on status and
 * open changes run in the database (indexed), and a domain's state is read only when it may have
 * something open.
 */
public final class DomainListing {
  /** The status of a configured domain never checked. */
  public static final String UNCHECKED = "unchecked";
  /** The statuses a filter may name. */
  public static final Set<String> STATUSES = Set.of("ok", "warning", "critical", "unknown", UNCHECKED);
  private static final int BATCH = 1000;

  /**
   * What to list.
   *
   * @param statuses the statuses wanted; empty for all
   * @param open only domains with open changes
   * @param pattern only the names it matches; null for all
   * @param after only names after this one (the previous page's last); null from the start
   * @param limit at most this many rows
   */
  public record Query(Set<String> statuses, boolean open, DomainPattern pattern, String after, int limit) {
    public Query {
      statuses = Set.copyOf(statuses);
      for (String s : statuses) {
        if (!STATUSES.contains(s)) {
          throw new OperationException(
              OperationException.Reason.BAD_REQUEST, "status: '" + s + "' is not a status (" + String.join(", ", new TreeSet<>(STATUSES)) + ")");
        }
      }
      if (limit < 1) {
        throw new OperationException(OperationException.Reason.BAD_REQUEST, "limit: must be at least 1, got " + limit);
      }
    }

    /** Parses a comma-separated list of statuses (empty or null: all). */
    public static Set<String> statuses(String list) {
      Set<String> out = new TreeSet<>();
      if (list != null) {
        for (String s : list.split(",")) {
          if (!s.isBlank()) {
            out.add(s.strip().toLowerCase(Locale.ROOT));
          }
        }
      }
      return out;
    }

    /** Parses a domain pattern (*, *.example.org or a name); null or empty: all. */
    public static DomainPattern pattern(String text) {
      if (text == null || text.isBlank()) {
        return null;
      }
      try {
        return DomainPattern.parse(text);
      } catch (IllegalArgumentException e) {
        throw new OperationException(OperationException.Reason.BAD_REQUEST, e.getMessage());
      }
    }
  }

  /**
   * One domain.
   *
   * @param status its latest check's status; null when never checked
   * @param open what is open now, against the current configuration
   */
  public record Row(String domain, boolean watched, String status, Instant lastCheckedAt, Instant lastChangeAt, List<Change> open) {
    public Row {
      open = List.copyOf(open);
    }
  }

  private final HistoryStore history;
  private final Operations ops;
  private final MxwatchConfig config;

  public DomainListing(HistoryStore history, Operations ops, MxwatchConfig config) {
    this.history = history;
    this.ops = ops;
    this.config = config;
  }

  /**
   * Hands the rows of {@code q} to {@code out} in name order.
   *
   * @return the name to continue after for the next page; null when there are no more rows
   */
  public String list(Query q, Consumer<Row> out) {
    boolean wantUnchecked = !q.open() && (q.statuses().isEmpty() || q.statuses().contains(UNCHECKED));
    Set<String> storedStatuses = new TreeSet<>(q.statuses());
    storedStatuses.remove(UNCHECKED);
    // a configured domain missing from the store's rows is unchecked only if the store was not filtered
    boolean storeFiltered = !storedStatuses.isEmpty() || q.open();
    if (wantUnchecked && storeFiltered) {
      storedStatuses.clear(); // filtered here instead, so that absent means never checked
    }
    HistoryStore.Filter filter = new HistoryStore.Filter(storedStatuses, q.open() && !wantUnchecked, q.pattern());
    List<String> names = wantUnchecked ? config.watch().sortedNames() : List.of();
    int next = firstAfter(names, q.after());
    java.util.ArrayDeque<HistoryStore.Listed> stored = new java.util.ArrayDeque<>();
    String storeCursor = q.after();
    boolean storeDone = false;
    String cursor = q.after();
    int emitted = 0;
    while (emitted < q.limit()) {
      if (stored.isEmpty() && !storeDone) {
        int before = stored.size();
        history.list(filter, storeCursor, BATCH, stored::add);
        storeDone = stored.size() - before < BATCH;
        if (!stored.isEmpty()) {
          storeCursor = stored.peekLast().domain();
        }
      }
      HistoryStore.Listed s = stored.peekFirst();
      String name = next < names.size() ? names.get(next) : null;
      if (s == null && name == null) {
        return null;
      }
      int order = s == null ? 1 : name == null ? -1 : s.domain().compareTo(name);
      Row row;
      if (order > 0) {
        next++; // configured, never checked
        row = q.pattern() == null || q.pattern().matches(name) ? new Row(name, true, null, null, null, List.of()) : null;
        cursor = name;
      } else {
        stored.removeFirst();
        if (order == 0) {
          next++;
        }
        row = row(s, q);
        cursor = s.domain();
      }
      if (row != null) {
        out.accept(row);
        emitted++;
      }
    }
    return stored.isEmpty() && storeDone && next >= names.size() ? null : cursor;
  }

  /** The row of a stored domain, or null when the query's filters leave it out. */
  private Row row(HistoryStore.Listed s, Query q) {
    String status = s.lastStatus();
    if (!q.statuses().isEmpty() && !q.statuses().contains(status == null ? UNCHECKED : status)) {
      return null;
    }
    boolean expects = !ops.expectations(s.domain()).equals(Expectations.NONE);
    List<Change> open =
        s.openChanges() != null && s.openChanges() == 0 && !expects ? List.of() : ops.open(s.domain(), history.load(s.domain()).state());
    if (q.open() && open.isEmpty()) {
      return null;
    }
    return new Row(s.domain(), config.watch().domain(s.domain()).isPresent(), status, s.lastCheckedAt(), s.lastChangeAt(), open);
  }

  /** The index of the first name after {@code after} in sorted {@code names}. */
  private static int firstAfter(List<String> names, String after) {
    if (after == null) {
      return 0;
    }
    int i = java.util.Collections.binarySearch(names, after);
    return i >= 0 ? i + 1 : -i - 1;
  }
}
