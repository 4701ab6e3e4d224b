package io.mxwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One file per validation error under {@code config/invalid/}: its first line is {@code # error:}
 * followed by the exact message {@code mxwatch config check} prints for it.
 */
class ConfigFixturesTest {
  private static final Path DIR = Path.of("src/test/resources/config/invalid");
  private static final String HEADER = "# error: ";

  static Stream<Path> fixtures() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(DIR)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(20);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void eachInvalidFileFailsWithItsExactMessage(Path fixture) throws IOException {
    String first = Files.readAllLines(fixture).getFirst();
    assertThat(first).as("first line of %s", fixture).startsWith(HEADER);
    String expected = first.substring(HEADER.length());
    assertThatThrownBy(() -> new ConfigLoader().load(fixture))
        .isInstanceOf(ConfigException.class)
        .hasMessage(expected);
  }
}
