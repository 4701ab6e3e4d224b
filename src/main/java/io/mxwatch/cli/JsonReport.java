package io.mxwatch.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
    try {
      JsonGenerator g = MAPPER.getFactory().createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      if (lines) {
        g.setRootValueSeparator(new SerializedString("\n"));
      } else {
        g.useDefaultPrettyPrinter();
      }
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

  @Override
  public void result(CheckResult result) {
    io(() -> DomainJsonWriter.write(gen, result));
  }

  @Override
  public void failure(String domain, String message) {
    io(
        () -> {
          gen.writeStartObject();
          gen.writeStringField("domain", domain);
          gen.writeStringField("status", "unknown");
          gen.writeStringField("error", message);
          gen.writeEndObject();
        });
  }

  @Override
  public void end(Tally tally) {
    io(
        () -> {
          if (!lines) {
            gen.writeEndArray();
          }
          gen.flush();
        });
    if (!lines || tally.domains() > 0) {
      out.println();
    }
    out.flush();
  }

  @Override
  public void flush() {
    io(gen::flush);
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
