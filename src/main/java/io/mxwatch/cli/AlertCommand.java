package io.mxwatch.cli;

import io.mxwatch.alert.Delivery;
import io.mxwatch.alert.Email;
import io.mxwatch.alert.EmailComposer;
import io.mxwatch.alert.RelaySender;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mxwatch alert}: work with alert emails. */
@Command(
    name = "alert",
    mixinStandardHelpOptions = true,
    description = "Works with alert emails.",
    subcommands = {AlertCommand.Test.class})
public final class AlertCommand extends GroupCommand {
  /** {@code mxwatch alert test --config FILE}. */
  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = "Sends a test email through the configured relay to every recipient of every route, and prints the relay's answer.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:the relay accepted it for every recipient", "1:the relay refused it (or some recipients), or could not be reached", "3:bad usage, or alerts are not configured"})
  public static final class Test implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The daemon's YAML configuration.")
    private Path config;

    private final ConfigLoader loader;
    private final PrintStream out;
    private final Clock clock;

    public Test(ConfigLoader loader, PrintStream out, Clock clock) {
      this.loader = loader;
      this.out = out;
      this.clock = clock;
    }

    @Override
    public Integer call() throws ConfigException {
      MxwatchConfig.Alerts alerts = loader.load(config).alerts();
      if (!alerts.enabled()) {
        throw new ConfigException(config + ": alerts are off: configure alerts.relay, alerts.from and alerts.to");
      }
      MxwatchConfig.Relay relay = alerts.relay();
      Email test = new EmailComposer().test(alerts.from(), alerts.allRecipients(), config.toAbsolutePath().toString(), clock.instant());
      String where = relay.host() + ":" + relay.port() + " (" + relay.tls().name().toLowerCase(java.util.Locale.ROOT) + ")";
      Delivery d = new RelaySender(relay, alerts.from()).send(test);
      return switch (d) {
        case Delivery.Accepted a -> {
          out.println(where + " accepted the test email for " + String.join(", ", test.to()) + ": " + a.reply());
          a.rejected().forEach(r -> out.println("but refused " + r));
          yield a.rejected().isEmpty() ? 0 : 1;
        }
        case Delivery.Retry r -> {
          out.println(where + ": not sent: " + r.error());
          yield 1;
        }
        case Delivery.Rejected r -> {
          out.println(where + ": refused: " + r.error());
          yield 1;
        }
      };
    }
  }
}
