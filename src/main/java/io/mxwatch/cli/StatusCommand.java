package io.mxwatch.cli;

import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.store.HistoryStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code mxwatch status}: every domain's last check, status and open changes. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows each domain's last check, its status and its open (unapproved) changes.")
public final class StatusCommand extends StoreCommand {
  public StatusCommand(ConfigLoader loader, PrintStream out, Clock clock) {
    super(loader, out, clock);
  }

  @Override
  int run(HistoryStore store) {
    Map<String, HistoryStore.Overview> stored = new LinkedHashMap<>();
    for (HistoryStore.Overview o : store.overview()) {
      stored.put(o.domain(), o);
    }
    String format = "%-32s %-9s %-21s %s%n";
    out.printf(format, "DOMAIN", "STATUS", "LAST CHECK", "OPEN CHANGES");
    for (MxwatchConfig.Domain d : config.watch().domains()) {
      print(format, d.name(), stored.remove(d.name()), "");
    }
    for (HistoryStore.Overview o : stored.values()) {
      print(format, o.domain(), o, " (no longer watched)");
    }
    return 0;
  }

  private void print(String format, String domain, HistoryStore.Overview o, String note) {
    if (o == null) {
      out.printf(format, domain, "-", "never", "-");
      return;
    }
    List<Change> open = new DriftEngine(confirmations(domain)).open(o.state(), expectations(domain));
    String summary = open.isEmpty() ? "0" : open.size() + ": " + String.join(", ", open.stream().map(c -> c.code() + " " + Printable.of(c.subject())).toList());
    out.printf(format, domain, o.lastStatus() == null ? "-" : o.lastStatus(), at(o.lastCheckedAt()), summary + note);
  }
}
