package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.drift.Change;
import io.mxwatch.drift.ChangeCode;
import io.mxwatch.drift.DriftEngine;
import io.mxwatch.drift.DriftState;
import io.mxwatch.store.HistoryStore;
import io.mxwatch.store.StoreException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch ack DOMAIN --reason TEXT}: approve the current state as the new baseline. */
@Command(
    name = "ack",
    mixinStandardHelpOptions = true,
    description = {
      "Approves the domain's current confirmed state as its new baseline: its open changes are resolved",
      "and the approval (who, why, when) is kept. Mismatches with declared expectations stay open",
      "until the records or the config change."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:approved, or nothing to approve", "3:bad usage, or the domain has no confirmed state yet"})
public final class AckCommand extends StoreCommand {
  @Parameters(paramLabel = "DOMAIN", description = "The domain.")
  private String domain;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why the change is fine (kept in the history).")
  private String reason;

  @Option(names = "--by", paramLabel = "NAME", description = "Who approves. Default: the user running the command.")
  private String by;

  public AckCommand(ConfigLoader loader, PrintStream out, Clock clock) {
    super(loader, out, clock);
  }

  @Override
  int run(HistoryStore store) throws ConfigException {
    String name = domain(domain);
    if (reason.isBlank()) {
      throw new ConfigException("--reason: say why the change is fine");
    }
    String who = operator(by);
    HistoryStore.Loaded loaded = store.load(name);
    if (loaded.version() == 0) {
      throw neverChecked(name);
    }
    DriftEngine engine = new DriftEngine(confirmations(name));
    List<Change> open = engine.open(loaded.state(), expectations(name));
    // a mismatch with the config resolves when the records or the config change, a lookup
    // failure when the lookups answer again: neither is a state to approve
    List<Change> approvable =
        open.stream()
            .filter(c -> !c.code().equals(ChangeCode.EXPECTATION_MISMATCH.name()) && !c.code().equals(ChangeCode.DNS_LOOKUP_FAILING.name()))
            .toList();
    if (approvable.isEmpty()) {
      out.println(name + ": nothing to approve");
      for (Change c : open) {
        out.println("  still open: " + line(c));
      }
      return 0;
    }
    DriftState after;
    try {
      after = store.approve(name, who, reason.strip(), clock.instant());
    } catch (StoreException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    out.println(name + ": approved by " + Printable.of(who) + " as the new baseline:");
    for (Change c : approvable) {
      out.println("  " + line(c));
    }
    List<Change> still = engine.open(after, expectations(name));
    for (Change c : still) {
      out.println("  still open: " + line(c));
    }
    return 0;
  }
}
