package io.mxwatch.cli;

import io.mxwatch.alert.SilenceRule;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.ops.OperationException;
import io.mxwatch.store.HistoryStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mxwatch silence}: silence the alerts of some domains for a while. */
@Command(
    name = "silence",
    mixinStandardHelpOptions = true,
    header = "Silences a domain's alert emails for a while; alerts are still recorded.",
    description = {
      "Silences alert emails for a while (maintenance): alerts of the domains are still recorded,",
      "and the ones still firing when the silence ends are sent then."
    },
    subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class, SilenceCommand.Expire.class})
public final class SilenceCommand extends GroupCommand {
  /** {@code mxwatch silence add DOMAIN --for 2h --reason TEXT}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Silences DOMAIN (or a pattern: *.example.com, *) from now for the given time.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:added (its id is printed)", "3:bad usage"})
  public static final class Add extends StoreCommand {
    @Parameters(paramLabel = "DOMAIN", description = "A domain, *.example.com (every name below it) or * (all).")
    private String pattern;

    @Option(names = "--for", required = true, paramLabel = "DURATION", description = "How long, e.g. 30m, 2h, 1d (at most 30d).")
    private String duration;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (shown in status and kept).")
    private String reason;

    @Option(names = "--by", paramLabel = "NAME", description = "Who silences. Default: the user running the command.")
    private String by;

    public Add(ConfigLoader loader, PrintStream out, Clock clock) {
      super(loader, out, clock);
    }

    @Override
    int run(HistoryStore store) throws ConfigException {
      if (reason.isBlank()) {
        throw new ConfigException("--reason: say why");
      }
      SilenceRule rule;
      try {
        rule = operations().silence(pattern, duration, reason, operator(by));
      } catch (OperationException e) {
        throw new ConfigException(e.getMessage(), e);
      }
      out.println(
          "silence " + rule.label() + " " + rule.pattern() + " until " + at(rule.end()) + " by " + Printable.of(rule.by()) + ": "
              + Printable.of(rule.reason()));
      return 0;
    }
  }

  /** {@code mxwatch silence list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the silences in force or to come.")
  public static final class ListSilences extends StoreCommand {
    public ListSilences(ConfigLoader loader, PrintStream out, Clock clock) {
      super(loader, out, clock);
    }

    @Override
    int run(HistoryStore store) {
      String format = "%-6s %-28s %-21s %-21s %-12s %s%n";
      out.printf(format, "ID", "DOMAINS", "START", "END", "BY", "REASON");
      for (SilenceRule r : silencesInForce()) {
        out.printf(format, r.label(), r.pattern(), at(r.start()), at(r.end()), Printable.of(r.by()), Printable.of(r.reason()));
      }
      return 0;
    }
  }

  /** {@code mxwatch silence expire ID}. */
  @Command(
      name = "expire",
      mixinStandardHelpOptions = true,
      description = "Ends a silence now; alerts still firing are sent after group_wait.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:ended", "3:no such silence in force"})
  public static final class Expire extends StoreCommand {
    @Parameters(paramLabel = "ID", description = "The silence's id, as 'silence list' shows it (with or without #).")
    private String id;

    public Expire(ConfigLoader loader, PrintStream out, Clock clock) {
      super(loader, out, clock);
    }

    @Override
    int run(HistoryStore store) throws ConfigException {
      long number;
      try {
        number = Long.parseLong(id.startsWith("#") ? id.substring(1) : id);
      } catch (NumberFormatException e) {
        throw new ConfigException("'" + id + "' is not a silence id (a number, as 'silence list' shows it)");
      }
      try {
        operations().expireSilence(number);
      } catch (OperationException e) {
        throw new ConfigException(e.getMessage(), e);
      }
      out.println("silence #" + number + " ended at " + at(clock.instant()));
      return 0;
    }
  }
}
