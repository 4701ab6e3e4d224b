package io.mxwatch.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.snapshot.SnapshotJson;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * JSON output: {@code json} writes one array of domain objects, {@code jsonl} one domain object per
 * line. Both are streamed, so memory does not grow with the number of domains, and each domain object
 * is written straight into the generator by {@link DomainJsonWriter}. The schema is documented in
 * docs/json-output.md.
 */
final class JsonReport implements ReportWriter {
  private static final ObjectMapper MAPPER = SnapshotJson.mapper();
  private final PrintStream out;
  private final boolean lines;
  private final JsonGenerator gen;

  JsonReport(PrintStream out, boolean lines) {
    this.out = out;
    this.lines = lines;
    if (lines) {
      this.gen = null; // each line is rendered on its own (render) and written as bytes
      return;
    }
    try {
      JsonGenerator g = MAPPER.getFactory().createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.useDefaultPrettyPrinter();
      this.gen = g;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void begin() {
    if (!lines) {
      io(() -> gen.writeStartArray());
    }
  }

  /**
   * For {@code jsonl}, renders the line on the calling thread (the one that finished the check),
   * so that only copying its bytes waits for the output's turn.
   */
  @Override
  public Runnable prepare(CheckResult result) {
    if (!lines) {
      return ReportWriter.super.prepare(result);
    }
    byte[] line = render(g -> DomainJsonWriter.write(g, result));
    return () -> out.write(line, 0, line.length);
  }

  @Override
  public void result(CheckResult result) {
    if (lines) {
      prepare(result).run();
    } else {
      io(() -> DomainJsonWriter.write(gen, result));
    }
  }

  @Override
  public void failure(String domain, String message) {
    Json failure =
        g -> {
          g.writeStartObject();
          g.writeStringField("domain", domain);
          g.writeStringField("status", "unknown");
          g.writeStringField("error", message);
          g.writeEndObject();
        };
    if (lines) {
      byte[] line = render(failure);
      out.write(line, 0, line.length);
    } else {
      io(() -> failure.write(gen));
    }
  }

  @Override
  public void end(Tally tally) {
    if (!lines) {
      io(
          () -> {
            gen.writeEndArray();
            gen.flush();
          });
      out.println();
    }
    out.flush();
  }

  @Override
  public void flush() {
    if (lines) {
      out.flush();
    } else {
      io(gen::flush);
    }
  }

  private interface Json {
    void write(JsonGenerator g) throws IOException;
  }

  /** One JSON value and a newline, as UTF-8 bytes. */
  private static byte[] render(Json value) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(2048)) {
      try (JsonGenerator g = MAPPER.getFactory().createGenerator(bytes)) {
        value.write(g);
      }
      bytes.append('\n');
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Io {
    void run() throws IOException;
  }

  private static void io(Io action) {
    try {
      action.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
