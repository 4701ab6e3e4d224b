package io.mxwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What `mxwatch --help` and every command's `--help` list reads as whole sentences. */
class HelpTextTest {
  private static List<CommandLine> all(CommandLine c) {
    List<CommandLine> out = new ArrayList<>(List.of(c));
    for (CommandLine sub : c.getSubcommands().values()) {
      out.addAll(all(sub));
    }
    return out;
  }

  @Test
  void everyCommandSummaryInAListIsAWholeSentence() {
    CommandLine root = new CommandLine(new MxwatchCommand(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return CommandLine.defaultFactory().create(type);
      }
    });
    List<CommandLine> commands = all(root);

    assertThat(commands).hasSizeGreaterThan(8);
    for (CommandLine c : commands) {
      CommandLine.Model.UsageMessageSpec usage = c.getCommandSpec().usageMessage();
      // what a parent's command list shows: the header when there is one, else the first line
      String summary = usage.header().length > 0 ? usage.header()[0] : usage.description().length > 0 ? usage.description()[0] : "";
      assertThat(summary).as(c.getCommandName() + "'s summary").isNotBlank().endsWith(".");
    }
  }
}
