package io.mxwatch.policy;

import io.mxwatch.dns.DnsOutcome;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/** TXT answers as policy text: the character-strings of one record joined without separator. */
public final class TxtRecords {
  private TxtRecords() {}

  /**
   * The joined text of every TXT record in the answer that {@code select} accepts, in answer order.
   * Bytes are kept one-to-one as ISO-8859-1 characters, so nothing is lost or invented.
   */
  public static List<String> select(DnsOutcome outcome, Predicate<String> select) {
    List<String> result = new ArrayList<>();
    if (outcome instanceof DnsOutcome.Answer answer) {
      for (Record record : answer.records()) {
        if (record instanceof TXTRecord txt) {
          String text = joined(txt);
          if (select.test(text)) {
            result.add(text);
          }
        }
      }
    }
    return result;
  }

  static String joined(TXTRecord txt) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : txt.getStringsAsByteArrays()) {
      out.writeBytes(part);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
