package io.mxwatch.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration: unknown keys are rejected, every value is checked, and every error
 * names the file, the line and the key ({@code mxwatch.yaml:7: dns.timeout: '2 sec' is not a
 * duration ...}). All value errors are reported at once.
 */
public final class ConfigLoader {
  private final ObjectMapper mapper =
      YAMLMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private final Map<String, String> env;

  /** A loader that ignores the environment. */
  public ConfigLoader() {
    this(Map.of());
  }

  /**
   * @param env the environment, whose {@code MXWATCH_*} variables override paths and secrets
   */
  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The largest config file: its domains list aside (domains_file), a config is a few kB. */
  static final int MAX_CONFIG_BYTES = 4 * 1024 * 1024;

  /** Reads and validates {@code file}; a domains file is found relative to it. */
  public MxwatchConfig load(Path file) throws ConfigException {
    return load(file, false);
  }

  /**
   * Like {@link #load}, but the domains file is read only when a domain it may hold is asked for,
   * or the whole list ({@link MxwatchConfig.Watch.DeferredDomains}; its errors then come as a
   * {@link MxwatchConfig.Watch.DomainsFileException}): an operator command that lists the few
   * domains in trouble does not read and validate 100,000 names first.
   */
  public MxwatchConfig loadDeferringDomainsFile(Path file) throws ConfigException {
    return load(file, true);
  }

  private MxwatchConfig load(Path file, boolean deferDomainsFile) throws ConfigException {
    String text;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_CONFIG_BYTES + 1); // bounded: /dev/zero or a 1 GB file is refused, not read
      if (bytes.length > MAX_CONFIG_BYTES) {
        throw new ConfigException(
            "config file " + file + " is larger than " + MAX_CONFIG_BYTES / (1024 * 1024) + " MiB: keep long domain lists in a domains_file");
      }
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ConfigException("cannot read config file " + file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + describe(e));
    }
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      throw new ConfigException(file.getFileName() + ":" + (text.substring(0, nul).chars().filter(c -> c == '\n').count() + 1) + ": a NUL byte: this is not a text file");
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.getFileName().toString(), dir == null ? Path.of("") : dir, deferDomainsFile);
  }

  /** Parses YAML text; {@code source} names it in messages. */
  public MxwatchConfig parse(String text, String source) throws ConfigException {
    return parse(text, source, Path.of(""), false);
  }

  /** The configuration with nothing from a file, only the environment's overrides. */
  public MxwatchConfig defaults() throws ConfigException {
    return parse("", "(defaults)");
  }

  private MxwatchConfig parse(String text, String source, Path baseDir, boolean deferDomainsFile) throws ConfigException {
    Map<String, Integer> lines = text.isBlank() ? Map.of() : lines(text, source);
    if (text.isBlank() || (lines.isEmpty() && isEmptyDocument(text))) {
      text = "{}"; // no keys: every default, with the environment's overrides
    }
    RawConfig raw;
    try {
      raw = mapper.readValue(text, RawConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : " (known: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
      throw new ConfigException(where(source, lines, path(e), e.getLocation()) + "unknown key '" + path(e) + "'" + known);
    } catch (JsonMappingException e) {
      throw new ConfigException(where(source, lines, path(e), e.getLocation()) + path(e) + ": " + expected(e));
    } catch (JsonProcessingException e) {
      throw new ConfigException(where(source, e.getLocation()) + "not valid YAML: " + yamlProblem(e));
    }
    if (raw == null) {
      raw = new RawConfig(null, null, null, null, null, null, null, null, null, null);
    }
    return new ConfigValidation(source, baseDir, lines, env, deferDomainsFile).config(raw);
  }

  private boolean isEmptyDocument(String text) {
    try {
      var tree = mapper.readTree(text);
      return tree == null || tree.isMissingNode() || tree.isNull();
    } catch (JsonProcessingException e) {
      return false; // reported by the binding that follows
    }
  }

  /** The line of every key and array element, by dotted path. */
  private Map<String, Integer> lines(String text, String source) throws ConfigException {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = new YAMLFactory().createParser(text)) {
      for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
        if (t == JsonToken.FIELD_NAME || t.isScalarValue() || t.isStructStart()) {
          JsonStreamContext context = parser.getParsingContext();
          if (t.isStructStart()) {
            context = context.getParent();
          }
          String path = path(context, t == JsonToken.FIELD_NAME ? parser.currentName() : null);
          if (!path.isEmpty()) {
            lines.putIfAbsent(path, parser.currentTokenLocation().getLineNr());
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw new ConfigException(where(source, e.getLocation()) + "not valid YAML: " + yamlProblem(e));
    } catch (IOException e) {
      throw new ConfigException(source + ": " + describe(e));
    }
    return lines;
  }

  private static String path(JsonStreamContext context, String field) {
    List<String> parts = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.add(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
      } else if (c.getCurrentName() != null) {
        parts.add(0, c.getCurrentName());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String p : parts) {
      if (!p.startsWith("[") && out.length() > 0) {
        out.append('.');
      }
      out.append(p);
    }
    return out.toString();
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.length() == 0 ? "(top level)" : out.toString();
  }

  private static String expected(JsonMappingException e) {
    String message = e.getOriginalMessage();
    if (message.contains("Integer") || message.contains("int")) {
      return "expected a whole number";
    }
    if (message.contains("Boolean") || message.contains("boolean")) {
      return "expected true or false";
    }
    if (message.contains("ArrayList") || message.contains("List")) {
      return "expected a list";
    }
    if (message.contains("String")) {
      return "expected a single value";
    }
    if (message.contains("RawConfig")) {
      return "expected a section of keys";
    }
    return message.lines().findFirst().orElse(message);
  }

  /** "file:line: " with the line of the key at {@code path}, else of the parser's position. */
  private static String where(String source, Map<String, Integer> lines, String path, JsonLocation location) {
    Integer line = lines.get(path);
    return line != null ? source + ":" + line + ": " : where(source, location);
  }

  private static String where(String source, JsonLocation location) {
    return location == null || location.getLineNr() < 1 ? source + ": " : source + ":" + location.getLineNr() + ": ";
  }

  /** SnakeYAML's message without its source excerpts: "while parsing ...: expected ..., but found ...". */
  private static String yamlProblem(JsonProcessingException e) {
    return e.getOriginalMessage()
        .lines()
        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
        .collect(Collectors.joining(": "));
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
  }
}
