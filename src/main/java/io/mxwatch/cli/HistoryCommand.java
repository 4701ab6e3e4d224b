package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.store.HistoryStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch history DOMAIN}: distinct snapshots, change events and approvals in time order. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "The timeline of a domain: each distinct snapshot (with how long it was seen), each confirmed change and each approval.")
public final class HistoryCommand extends StoreCommand {
  @Parameters(paramLabel = "DOMAIN", description = "The domain.")
  private String domain;

  @Option(names = "--since", paramLabel = "DURATION|DATE", description = "Only what happened since then: 7d, 2026-11-01, 2026-11-01T10:00:00Z. Default: everything.")
  private String since;

  public HistoryCommand(ConfigLoader loader, PrintStream out, Clock clock) {
    super(loader, out, clock);
  }

  private record Entry(Instant at, int order, String text) {}

  @Override
  int run(HistoryStore store) throws ConfigException {
    String name = domain(domain);
    Instant from = since == null ? Instant.EPOCH : time("--since", since);
    List<Entry> entries = new ArrayList<>();
    for (HistoryStore.StoredSnapshot s : store.snapshots(name, from)) {
      String seen = s.seenCount() == 1 ? "seen once" : "seen " + s.seenCount() + " times until " + at(s.lastSeen());
      entries.add(new Entry(s.firstSeen(), 0, "snapshot " + s.id() + " " + s.status().toLowerCase(java.util.Locale.ROOT) + ", " + seen));
    }
    for (HistoryStore.StoredEvent e : store.events(name, from)) {
      entries.add(
          new Entry(
              e.confirmedAt(),
              1,
              "change   " + line(e.severity(), e.code(), e.subject(), e.before(), e.after()) + " (first seen " + at(e.detectedAt()) + ")"
                  + (e.note() == null ? "" : "\n" + " ".repeat(29) + "nameservers: " + Printable.of(e.note()))));
    }
    for (HistoryStore.StoredApproval a : store.approvals(name, from)) {
      entries.add(new Entry(a.at(), 2, "approval by " + Printable.of(a.by()) + ": " + Printable.of(a.reason())));
    }
    if (entries.isEmpty()) {
      out.println(name + ": no history" + (since == null ? "" : " since " + from) + (store.load(name).version() == 0 ? " (never checked)" : ""));
      return 0;
    }
    entries.sort(Comparator.comparing(Entry::at).thenComparing(Entry::order));
    for (Entry e : entries) {
      out.println(at(e.at()) + "  " + e.text());
    }
    return 0;
  }
}
