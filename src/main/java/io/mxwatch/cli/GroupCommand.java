package io.mxwatch.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code config}, {@code silence}, {@code alert}): alone, it prints its usage. */
abstract class GroupCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public final Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return MxwatchCommand.USAGE;
  }
}
