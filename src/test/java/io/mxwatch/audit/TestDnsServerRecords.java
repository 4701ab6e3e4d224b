package io.mxwatch.audit;

import io.mxwatch.testing.TestDnsServer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/** Single records for tests that add to what a zone already has. */
final class TestDnsServerRecords {
  private TestDnsServerRecords() {}

  static Record mx(String owner, int preference, String target) {
    return new MXRecord(
        TestDnsServer.name(owner), DClass.IN, 300, preference,
        target.equals(".") ? org.xbill.DNS.Name.root : TestDnsServer.name(target));
  }

  static Record txt(String owner, String text) {
    return new TXTRecord(TestDnsServer.name(owner), DClass.IN, 300, text);
  }
}
