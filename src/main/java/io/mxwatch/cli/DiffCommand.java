package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.DomainState;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.DriftState;
import io.mxwatch.drift.Observation;
import io.mxwatch.store.HistoryStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch diff DOMAIN}: what differs between two points in a domain's history. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "What differs between two points in a domain's history, before → after.",
      "Default: the approved baseline against the latest check."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no difference", "1:differences shown", "3:bad usage, or no history at a given time"})
public final class DiffCommand extends StoreCommand {
  @Parameters(paramLabel = "DOMAIN", description = "The domain.")
  private String domain;

  @Option(names = "--from", paramLabel = "TIME", description = "The earlier point: 7d, 2026-11-01, 2026-11-01T10:00:00Z. Default: the baseline.")
  private String from;

  @Option(names = "--to", paramLabel = "TIME", description = "The later point. Default: the latest check.")
  private String to;

  public DiffCommand(ConfigLoader loader, PrintStream out, Clock clock) {
    super(loader, out, clock);
  }

  @Override
  int run(HistoryStore store) throws ConfigException {
    String name = domain(domain);
    DriftState state = store.load(name).state();
    if (state.lastKnown() == null) {
      throw neverChecked(name);
    }
    DomainState before = from == null ? state.baseline() : at(store, name, "--from", from);
    if (before == null) {
      throw new ConfigException(name + " has no baseline yet: it is learned after " + confirmations(name) + " agreeing checks");
    }
    DomainState after = to == null ? state.lastKnown() : at(store, name, "--to", to);
    List<Change> changes = DriftEngine.diff(before, after);
    String fromLabel = from == null ? "baseline" : from;
    String toLabel = to == null ? "latest check" : to;
    if (changes.isEmpty()) {
      out.println(name + ": no difference between " + fromLabel + " and " + toLabel);
      return 0;
    }
    out.println(name + ": " + fromLabel + " → " + toLabel);
    for (Change c : changes) {
      out.println("  " + line(c));
    }
    return 1;
  }

  private DomainState at(HistoryStore store, String name, String option, String text) throws ConfigException {
    Instant t = time(option, text);
    Observation o = store.observationAt(name, t);
    if (o == null) {
      throw new ConfigException(option + ": " + name + " has no snapshot at or before " + t);
    }
    return o.state();
  }
}
