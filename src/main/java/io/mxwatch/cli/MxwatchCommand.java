package io.mxwatch.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code mxwatch} command; the work is in its subcommands. */
@Command(
    name = "mxwatch",
    mixinStandardHelpOptions = true,
    versionProvider = MxwatchCommand.Version.class,
    subcommands = {
      CheckCommand.class,
      RunCommand.class,
      StatusCommand.class,
      HistoryCommand.class,
      DiffCommand.class,
      AckCommand.class,
      SilenceCommand.class,
      AlertCommand.class,
      ConfigCommand.class
    },
    description = "Watches the mail routing of domains: MX, SMTP, SPF and DMARC.")
public final class MxwatchCommand implements Callable<Integer> {
  /** Exit status for bad usage, config or input: Nagios's UNKNOWN. */
  public static final int USAGE = 3;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** The version from the jar's manifest. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = MxwatchCommand.class.getPackage().getImplementationVersion();
      return new String[] {"mxwatch " + (version == null ? "(development build)" : version)};
    }
  }
}
