package io.mxwatch.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.mxwatch.audit.FindingCode;
import io.mxwatch.drift.ChangeCode;
import io.mxwatch.config.ConfigLoader;
import io.mxwatch.config.MxwatchConfig;
import io.mxwatch.metrics.MetricNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped documentation and example config stay true to the code. */
class DocsTest {

  @Test
  void findingCatalogueListsEveryCodeWithItsSeverityAndMeaning() throws Exception {
    String catalogue = Files.readString(Path.of("docs/findings.md"));
    for (FindingCode code : FindingCode.values()) {
      String row = "| `" + code.name() + "` | " + code.severity().label() + " | " + code.description().replace("|", "\\|") + " |";
      assertThat(catalogue).as("docs/findings.md row for " + code).contains(row);
    }
    for (ChangeCode code : ChangeCode.values()) {
      String row = "| `" + code.name() + "` | " + code.severity().label() + " | " + code.description().replace("|", "\\|") + " |";
      assertThat(catalogue).as("docs/findings.md row for change " + code).contains(row);
    }
  }

  @Test
  void jsonSchemaDocumentsTheTopLevelKeys() throws Exception {
    String schema = Files.readString(Path.of("docs/json-output.md"));
    for (String key : new String[] {"domain", "checked_at", "status", "duration_ms", "mx", "spf", "dmarc", "smtp_probed", "smtp", "findings", "lookups"}) {
      assertThat(schema).as("docs/json-output.md documents " + key).contains("`" + key + "`");
    }
  }

  @Test
  void exampleConfigParsesAndSaysNothingSurprising() throws Exception {
    MxwatchConfig config = new ConfigLoader().load(Path.of("config/mxwatch.yaml"));
    assertThat(config.smtp().probe().port()).isEqualTo(25);
    assertThat(config.dns().resolvers()).isEmpty();
  }

  @Test
  void readmeLinksTheCatalogueAndGivesTheTestCommand() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme).contains("docs/findings.md").contains("docs/json-output.md");
    assertThat(readme).contains("JAVA_HOME=$(bin/find-jdk) mvn -B verify");
  }

  @Test
  void readmeDocumentsEveryMetric() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int documented = 0;
    for (java.lang.reflect.Field f : MetricNames.class.getFields()) {
      String prometheus = ((String) f.get(null)).replace('.', '_');
      assertThat(readme).as("the README's metrics reference names " + prometheus).contains("`" + prometheus);
      documented++;
    }
    assertThat(documented).isGreaterThan(25);
  }
}
