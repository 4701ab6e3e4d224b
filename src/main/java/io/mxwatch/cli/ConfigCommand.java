package io.mxwatch.cli;

import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mxwatch config}: work with the configuration file. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Works with the configuration file.",
    subcommands = {ConfigCommand.Check.class})
public final class ConfigCommand extends GroupCommand {
  /** {@code mxwatch config check --config FILE}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Validates the configuration (and its domains file) without starting anything.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:valid", "3:invalid: each problem is printed as FILE:LINE: KEY: WHY"})
  public static final class Check implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML configuration to check.")
    private Path config;

    private final ConfigLoader loader;
    private final PrintStream out;

    public Check(ConfigLoader loader, PrintStream out) {
      this.loader = loader;
      this.out = out;
    }

    @Override
    public Integer call() throws ConfigException {
      MxwatchConfig c = loader.load(config);
      long cron = c.watch().domains().stream().filter(d -> d.schedule() instanceof MxwatchConfig.Schedule.Cron).count();
      out.println(
          config + ": OK, " + c.watch().domains().size() + " domains (" + cron + " on cron schedules), alerts "
              + (c.alerts().enabled() ? "to " + String.join(", ", c.alerts().to()) : "off"));
      return 0;
    }
  }
}
