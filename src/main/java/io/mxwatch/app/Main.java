package io.mxwatch.app;

import io.mxwatch.cli.AckCommand;
import io.mxwatch.cli.AlertCommand;
import io.mxwatch.cli.CheckCommand;
import io.mxwatch.cli.ConfigCommand;
import io.mxwatch.cli.DiffCommand;
import io.mxwatch.cli.HistoryCommand;
import io.mxwatch.cli.MxwatchCommand;
import io.mxwatch.cli.RunCommand;
import io.mxwatch.cli.SilenceCommand;
import io.mxwatch.cli.StatusCommand;
import io.mxwatch.config.ConfigException;
import io.mxwatch.config.ConfigLoader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The entry point: wires the commands and maps every failure to a clear message and exit status. */
public final class Main {

  private Main() {}

  /** The address H2 serves the store file on to other local processes; never beyond this host. */
  private static final String H2_BIND_ADDRESS = "h2.bindAddress";

  /** The largest temporary direct buffer the JDK keeps per thread for channel I/O on heap buffers. */
  private static final String NIO_CACHED_BUFFER = "jdk.nio.maxCachedBufferSize";

  public static void main(String[] args) {
    if (System.getProperty(H2_BIND_ADDRESS) == null) {
      System.setProperty(H2_BIND_ADDRESS, "127.0.0.1"); // before any H2 class reads it
    }
    if (System.getProperty(NIO_CACHED_BUFFER) == null) {
      // before any channel I/O: the JDK keeps, per thread, a direct copy buffer as large as the
      // largest heap buffer that thread wrote or read, for good; H2 writes chunks of several
      // megabytes from heap buffers, so each thread that writes the store could keep that much
      // outside the heap. Larger ones are freed after use.
      System.setProperty(NIO_CACHED_BUFFER, String.valueOf(256 * 1024));
    }
    if (args.length > 0 && args[0].equals("run")) {
      System.setProperty("mxwatch.log.level", "INFO"); // before logging starts: one line per check
    }
    String format = System.getenv("MXWATCH_LOG_FORMAT");
    if (format != null && !format.isBlank()) {
      String f = format.strip().toLowerCase(java.util.Locale.ROOT);
      if (!f.equals("json") && !f.equals("text")) {
        System.err.println("mxwatch: MXWATCH_LOG_FORMAT must be text or json, got '" + format + "'; logging as text");
        f = "text";
      }
      System.setProperty("mxwatch.log.format", f); // before logging starts
    }
    PrintStream out =
        new PrintStream(
            new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    int status = run(args, out, System.err, Clock.systemUTC());
    out.flush();
    System.exit(status);
  }

  /** Runs one command line; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
    Wiring wiring = new Wiring(clock);
    ConfigLoader loader = new ConfigLoader(System.getenv());
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          @SuppressWarnings("unchecked")
          public <K> K create(Class<K> type) throws Exception {
            if (type == CheckCommand.class) {
              return (K) new CheckCommand(wiring, out);
            }
            if (type == RunCommand.class) {
              return (K) new RunCommand((config, file, reload) -> Daemon.start(config, file, wiring, clock, reload), loader);
            }
            if (type == StatusCommand.class) {
              return (K) new StatusCommand(loader, out, clock);
            }
            if (type == HistoryCommand.class) {
              return (K) new HistoryCommand(loader, out, clock);
            }
            if (type == DiffCommand.class) {
              return (K) new DiffCommand(loader, out, clock);
            }
            if (type == AckCommand.class) {
              return (K) new AckCommand(loader, out, clock);
            }
            if (type == SilenceCommand.Add.class) {
              return (K) new SilenceCommand.Add(loader, out, clock);
            }
            if (type == SilenceCommand.ListSilences.class) {
              return (K) new SilenceCommand.ListSilences(loader, out, clock);
            }
            if (type == SilenceCommand.Expire.class) {
              return (K) new SilenceCommand.Expire(loader, out, clock);
            }
            if (type == AlertCommand.Test.class) {
              return (K) new AlertCommand.Test(loader, out, clock);
            }
            if (type == ConfigCommand.Check.class) {
              return (K) new ConfigCommand.Check(loader, out);
            }
            return defaults.create(type);
          }
        };
    CommandLine commandLine = new CommandLine(new MxwatchCommand(), factory);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(
        (e, arguments) -> {
          err.println(prefix(e.getCommandLine()) + e.getMessage() + " (see '" + qualified(e.getCommandLine()) + " --help')");
          return MxwatchCommand.USAGE;
        });
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          if (e instanceof ConfigException) {
            err.println(prefix(cl) + e.getMessage());
          } else {
            LoggerFactory.getLogger(Main.class).error("{} failed", qualified(cl), e);
            err.println(prefix(cl) + "failed: " + e);
          }
          return MxwatchCommand.USAGE;
        });
    return commandLine.execute(args);
  }

  private static String qualified(CommandLine cl) {
    return cl.getParent() == null ? cl.getCommandName() : qualified(cl.getParent()) + " " + cl.getCommandName();
  }

  private static String prefix(CommandLine cl) {
    return qualified(cl) + ": ";
  }
}
