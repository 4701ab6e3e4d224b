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
import io.mxwatch.smtp.SmtpSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  public MxwatchConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + describe(e));
    }
    return parse(text, file.getFileName().toString());
  }

  /** Parses YAML text; {@code source} names it in messages. */
  public MxwatchConfig parse(String text, String source) throws ConfigException {
    if (text.isBlank()) {
      return MxwatchConfig.defaults();
    }
    Map<String, Integer> lines = lines(text, source);
    if (lines.isEmpty() && isEmptyDocument(text)) {
      return MxwatchConfig.defaults(); // comments only
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
      throw new ConfigException(where(source, e.getLocation()) + "not valid YAML: " + e.getOriginalMessage());
    }
    if (raw == null) {
      return MxwatchConfig.defaults();
    }
    return new Validation(source, lines).config(raw);
  }

  /** Turns raw values into checked ones, collecting every error with its line. */
  private static final class Validation {
    private final String source;
    private final Map<String, Integer> lines;
    private final List<String> errors = new ArrayList<>();

    Validation(String source, Map<String, Integer> lines) {
      this.source = source;
      this.lines = lines;
    }

    MxwatchConfig config(RawConfig raw) throws ConfigException {
      MxwatchConfig.Dns dns = dns(raw.dns());
      MxwatchConfig.Smtp smtp = smtp(raw.smtp());
      MxwatchConfig.Check check = check(raw.check());
      if (!errors.isEmpty()) {
        throw new ConfigException(String.join("\n", errors));
      }
      return new MxwatchConfig(dns, smtp, check);
    }

    private MxwatchConfig.Dns dns(RawConfig.RawDns raw) {
      MxwatchConfig.Dns d = MxwatchConfig.Dns.defaults();
      if (raw == null) {
        return d;
      }
      List<InetSocketAddress> resolvers = new ArrayList<>();
      if (raw.resolvers() != null) {
        for (int i = 0; i < raw.resolvers().size(); i++) {
          InetSocketAddress a = value("dns.resolvers[" + i + "]", raw.resolvers().get(i), ResolverAddresses::parse, null);
          if (a != null) {
            resolvers.add(a);
          }
        }
      }
      return new MxwatchConfig.Dns(
          resolvers,
          duration("dns.timeout", raw.timeout(), d.timeout(), Duration.ofMillis(10), Duration.ofSeconds(60)),
          number("dns.retries", raw.retries(), d.retries(), 0, 10),
          number("dns.max_in_flight", raw.maxInFlight(), d.maxInFlight(), 1, 100_000));
    }

    private MxwatchConfig.Smtp smtp(RawConfig.RawSmtp raw) {
      MxwatchConfig.Smtp defaults = MxwatchConfig.Smtp.defaults();
      if (raw == null) {
        return defaults;
      }
      SmtpSettings d = defaults.probe();
      Duration max = Duration.ofMinutes(10);
      Duration min = Duration.ofMillis(10);
      return new MxwatchConfig.Smtp(
          raw.enabled() == null ? defaults.enabled() : raw.enabled(),
          new SmtpSettings(
              number("smtp.port", raw.port(), d.port(), 1, 65535),
              raw.heloName() == null ? d.heloName() : value("smtp.helo_name", raw.heloName(), Validation::heloName, d.heloName()),
              duration("smtp.connect_timeout", raw.connectTimeout(), d.connectTimeout(), min, max),
              duration("smtp.read_timeout", raw.readTimeout(), d.readTimeout(), min, max),
              duration("smtp.deadline", raw.deadline(), d.deadline(), min, max),
              number("smtp.max_concurrent", raw.maxConcurrent(), d.maxConcurrent(), 1, 10_000),
              raw.ipv6() == null ? d.ipv6() : raw.ipv6()));
    }

    private MxwatchConfig.Check check(RawConfig.RawCheck raw) {
      MxwatchConfig.Check d = MxwatchConfig.Check.defaults();
      if (raw == null) {
        return d;
      }
      return new MxwatchConfig.Check(
          duration("check.deadline", raw.deadline(), d.deadline(), Duration.ofMillis(100), Duration.ofMinutes(10)),
          number("check.concurrency", raw.concurrency(), d.concurrency(), 1, 100_000));
    }

    private static String heloName(String name) {
      if (!name.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?") || name.contains("..")) {
        throw new IllegalArgumentException("'" + name + "' is not a host name to send with EHLO");
      }
      return name;
    }

    private Duration duration(String path, String text, Duration fallback, Duration min, Duration max) {
      if (text == null) {
        return fallback;
      }
      Duration d = value(path, text, Durations::parse, null);
      if (d == null) {
        return fallback;
      }
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        error(path, "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", got " + text);
        return fallback;
      }
      return d;
    }

    private int number(String path, Integer value, int fallback, int min, int max) {
      if (value == null) {
        return fallback;
      }
      if (value < min || value > max) {
        error(path, "must be between " + min + " and " + max + ", got " + value);
        return fallback;
      }
      return value;
    }

    private <T> T value(String path, String text, Function<String, T> parse, T fallback) {
      try {
        return parse.apply(text);
      } catch (IllegalArgumentException e) {
        error(path, e.getMessage());
        return fallback;
      }
    }

    private void error(String path, String message) {
      Integer line = lines.get(path);
      errors.add(source + (line == null ? "" : ":" + line) + ": " + path + ": " + message);
    }
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
      throw new ConfigException(where(source, e.getLocation()) + "not valid YAML: " + e.getOriginalMessage());
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

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
  }
}
