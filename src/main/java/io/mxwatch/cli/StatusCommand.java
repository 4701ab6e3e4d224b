package io.mxwatch.cli;

import io.mxwatch.alert.AlertRepository;
import io.mxwatch.alert.SilenceRule;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.drift.Change;
import io.mxwatch.store.AlertStore;
import io.mxwatch.config.ConfigException;
import io.mxwatch.ops.DomainListing;
import io.mxwatch.ops.OperationException;
import io.mxwatch.store.HistoryStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch status}: every domain's last check, status and open changes. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Shows each domain's status and open changes, the alert outbox and silences.",
    description = {
      "Shows each domain's last check, its status and its open (unapproved) changes, in name order, as",
      "they are read (a list of 100,000 streams); then the alert outbox (emails waiting, emails the",
      "relay refused for good) and the silences in force.",
      "Filter with --status, --open and a PATTERN: 'mxwatch status --status critical,unknown' lists",
      "only the domains that need attention."
    })
public final class StatusCommand extends StoreCommand {
  private static final int UNDELIVERABLE_SHOWN = 20;

  @Option(
      names = "--status",
      paramLabel = "STATUS[,STATUS...]",
      description = "Only domains with these statuses: ok, warning, critical, unknown, unchecked.")
  private String statuses;

  @Option(names = "--open", description = "Only domains with open (unapproved) changes.")
  private boolean open;

  @Parameters(
      arity = "0..1",
      paramLabel = "PATTERN",
      description = "Only these domains: a name, or *.example.org for the names below it.")
  private String pattern;

  public StatusCommand(ConfigLoader loader, PrintStream out, Clock clock) {
    super(loader, out, clock);
  }

  @Override
  int run(HistoryStore store) throws ConfigException {
    DomainListing.Query q;
    try {
      q = new DomainListing.Query(DomainListing.Query.statuses(statuses), open, DomainListing.Query.pattern(pattern), null, Integer.MAX_VALUE);
    } catch (OperationException e) {
      throw new ConfigException(e.getMessage());
    }
    String format = "%-32s %-9s %-21s %s%n";
    out.printf(format, "DOMAIN", "STATUS", "LAST CHECK", "OPEN CHANGES");
    int[] shown = {0};
    new DomainListing(store, operations(), config)
        .list(
            q,
            r -> {
              print(format, r);
              shown[0]++;
            });
    if (shown[0] == 0 && (statuses != null || open || pattern != null)) {
      out.println("(no domain matches)");
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

  private void print(String format, DomainListing.Row r) {
    String note = r.watched() ? "" : " (no longer watched)";
    if (r.status() == null) {
      out.printf(format, r.domain(), "-", "never", "-" + note);
      return;
    }
    List<Change> open = r.open();
    String summary = open.isEmpty() ? "0" : open.size() + ": " + String.join(", ", open.stream().map(c -> c.code() + " " + Printable.of(c.subject())).toList());
    out.printf(format, r.domain(), r.status(), at(r.lastCheckedAt()), summary + note);
  }
}
