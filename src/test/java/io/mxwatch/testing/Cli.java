package io.mxwatch.testing;

import io.mxwatch.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** One command line run in this JVM as {@code mxwatch} runs it: its exit status and what it printed. */
public record Cli(int status, String out, String err) {
  public static Cli run(String... args) {
    return run(Clock.systemUTC(), args);
  }

  public static Cli run(Clock clock, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), clock);
    return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
