package io.mxwatch.testing;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A DNSSEC-signed zone for tests: the zone's records, one ECDSA P-256 key (algorithm 13, flags
 * 257: it signs everything, as a combined signing key), an NSEC chain, and an RRSIG over every
 * RRset, valid from an hour before {@code now} until {@code expiry}. Its DNSKEY is the trust anchor
 * a validator starts from ({@link #trustAnchor()}), so no parent zone is needed.
 */
public final class SignedZone {
  private static KeyPair key;

  private final Name origin;
  private final DNSKEYRecord dnskey;
  private final List<Record> records;

  private SignedZone(Name origin, DNSKEYRecord dnskey, List<Record> records) {
    this.origin = origin;
    this.dnskey = dnskey;
    this.records = List.copyOf(records);
  }

  /** One key pair for every test zone: generating is the slow part. */
  private static synchronized KeyPair key() throws Exception {
    if (key == null) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      key = g.generateKeyPair();
    }
    return key;
  }

  /**
   * Signs zone text (relative names from {@code origin}; it needs an SOA at the apex).
   *
   * @param now the signatures' reference time: valid from an hour before it
   * @param expiry when the signatures expire
   */
  public static SignedZone sign(String origin, String zoneText, Instant now, Instant expiry) {
    try {
      Name apex = TestDnsServer.name(origin);
      KeyPair pair = key();
      DNSKEYRecord dnskey = new DNSKEYRecord(apex, DClass.IN, 3600, 257, 3, 13, pair.getPublic());
      List<Record> unsigned = new ArrayList<>(TestDnsServer.parse(origin, zoneText));
      unsigned.add(dnskey);
      if (unsigned.stream().noneMatch(r -> r.getType() == Type.SOA && r.getName().equals(apex))) {
        throw new IllegalArgumentException("a signed zone needs an SOA record at " + apex);
      }
      // the NSEC chain, in canonical order (RFC 4034 §6.1), each naming the types at its owner
      TreeMap<Name, TreeSet<Integer>> types = new TreeMap<>();
      for (Record r : unsigned) {
        types.computeIfAbsent(r.getName(), n -> new TreeSet<>()).add(r.getType());
      }
      List<Name> names = new ArrayList<>(types.keySet());
      for (int i = 0; i < names.size(); i++) {
        TreeSet<Integer> t = new TreeSet<>(types.get(names.get(i)));
        t.add(Type.NSEC);
        t.add(Type.RRSIG);
        Name next = names.get((i + 1) % names.size());
        unsigned.add(new NSECRecord(names.get(i), DClass.IN, 300, next, t.stream().mapToInt(Integer::intValue).toArray()));
      }
      Map<String, RRset> rrsets = new LinkedHashMap<>();
      for (Record r : unsigned) {
        rrsets.computeIfAbsent(r.getName() + "/" + r.getType(), k -> new RRset()).addRR(r);
      }
      List<Record> signed = new ArrayList<>(unsigned);
      Instant inception = now.minus(Duration.ofHours(1));
      for (RRset set : rrsets.values()) {
        signed.add(DNSSEC.sign(set, dnskey, pair.getPrivate(), inception, expiry));
      }
      return new SignedZone(apex, dnskey, signed);
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign " + origin + ": " + e, e);
    }
  }

  /** Every record to serve: the zone's, its DNSKEY, NSEC chain and signatures. */
  public List<Record> records() {
    return records;
  }

  /** Serves the signed zone on {@code server}, replacing what it served under the origin. */
  public SignedZone serveOn(TestDnsServer server) {
    server.clear(origin.toString());
    records.forEach(server::add);
    return this;
  }

  /** The zone's DNSKEY as a trust anchor, in zone-file format. */
  public String trustAnchor() {
    return dnskey.toString() + "\n";
  }
}
