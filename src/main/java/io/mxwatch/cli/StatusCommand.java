package io.mxwatch.cli;

import io.mxwatch.alert.AlertRepository;
import io.mxwatch.alert.SilenceRule;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.store.AlertStore;
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
    description = {
      "Shows each domain's last check, its status and its open (unapproved) changes; then the alert",
      "outbox (emails waiting, emails the relay refused for good) and the silences in force."
    })
public final class StatusCommand extends StoreCommand {
  private static final int UNDELIVERABLE_SHOWN = 20;

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
    alerts();
    return 0;
  }

  /** The outbox (waiting and undeliverable emails) and the silences in force. */
  private void alerts() {
    AlertStore alerts = alertStore();
    AlertRepository.OutboxSummary outbox = alerts.outbox(UNDELIVERABLE_SHOWN);
    out.println();
    out.print("alerts: " + (config.alerts().enabled() ? "by email" : "off"));
    out.println(
        outbox.pending() == 0
            ? ", outbox empty"
            : ", " + outbox.pending() + " waiting in the outbox since " + at(outbox.oldestPending())
                + (outbox.lastError() == null ? "" : " (last error: " + Printable.of(outbox.lastError()) + ")"));
    for (AlertRepository.Undeliverable u : outbox.undeliverable()) {
      out.println(
          "UNDELIVERABLE #" + u.id() + " " + at(u.createdAt()) + " " + u.domain() + " " + Printable.of(u.subject()) + ": " + Printable.of(u.error()));
    }
    for (SilenceRule r : silencesInForce()) {
      String by = r.id() == 0 ? "" : " by " + Printable.of(r.by());
      out.println(
          "silence " + (r.id() == 0 ? "(config)" : r.label()) + " " + r.pattern() + " " + at(r.start()) + " → " + at(r.end()) + by + ": "
              + Printable.of(r.reason()));
    }
  }

  private void print(String format, String domain, HistoryStore.Overview o, String note) {
    if (o == null) {
      out.printf(format, domain, "-", "never", "-");
      return;
    }
    List<Change> open = operations().open(domain, o.state());
    String summary = open.isEmpty() ? "0" : open.size() + ": " + String.join(", ", open.stream().map(c -> c.code() + " " + Printable.of(c.subject())).toList());
    out.printf(format, domain, o.lastStatus() == null ? "-" : o.lastStatus(), at(o.lastCheckedAt()), summary + note);
  }
}
