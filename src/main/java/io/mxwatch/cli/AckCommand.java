package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.ops.OperationException;
import io.mxwatch.ops.Operations;
import io.mxwatch.store.HistoryStore;
import java.io.PrintStream;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch ack DOMAIN --reason TEXT}: approve the current state as the new baseline. */
@Command(
    name = "ack",
    mixinStandardHelpOptions = true,
    header = "Approves a domain's confirmed changes: its current state becomes the baseline.",
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
    if (reason.isBlank()) {
      throw new ConfigException("--reason: say why the change is fine");
    }
    Operations.Ack ack;
    try {
      ack = operations().ack(domain, operator(by), reason);
    } catch (OperationException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    if (ack.approved().isEmpty()) {
      out.println(ack.domain() + ": nothing to approve");
    } else {
      out.println(ack.domain() + ": approved by " + Printable.of(ack.by()) + " as the new baseline:");
      ack.approved().forEach(c -> out.println("  " + line(c)));
    }
    ack.stillOpen().forEach(c -> out.println("  still open: " + line(c)));
    return 0;
  }
}
