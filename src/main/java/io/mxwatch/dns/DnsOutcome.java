package io.mxwatch.dns;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The outcome of one DNS lookup. What the network says is data: every variant is a value, none is
 * thrown. {@link Absent} and {@link Failure} are separate branches of the type so that code which
 * handles "record is gone" cannot accidentally handle "lookup failed" too.
 */
public sealed interface DnsOutcome {

  DnsStatus status();

  /** A short human-readable description, e.g. {@code SERVFAIL from 127.0.0.1:53}. */
  String detail();

  /**
   * The names the answer passed through as CNAME targets, in order (empty when the queried name
   * owns the records itself).
   */
  List<Name> cnameChain();

  /** Records of the requested type at the end of the CNAME chain. */
  record Answer(List<Record> records, List<Name> cnameChain, boolean authoritative)
      implements DnsOutcome {
    public Answer {
      records = List.copyOf(records);
      cnameChain = List.copyOf(cnameChain);
    }

    @Override
    public DnsStatus status() {
      return DnsStatus.RECORDS;
    }

    @Override
    public String detail() {
      return records.size() + (records.size() == 1 ? " record" : " records");
    }
  }

  /** The server said the record does not exist. */
  sealed interface Absent extends DnsOutcome {}

  /** The name exists but has no record of the requested type. */
  record NoData(List<Name> cnameChain, boolean authoritative) implements Absent {
    public NoData {
      cnameChain = List.copyOf(cnameChain);
    }

    @Override
    public DnsStatus status() {
      return DnsStatus.NODATA;
    }

    @Override
    public String detail() {
      return "no record of this type";
    }
  }

  /** The name does not exist. */
  record NxDomain(List<Name> cnameChain, boolean authoritative) implements Absent {
    public NxDomain {
      cnameChain = List.copyOf(cnameChain);
    }

    @Override
    public DnsStatus status() {
      return DnsStatus.NXDOMAIN;
    }

    @Override
    public String detail() {
      return "no such domain";
    }
  }

  /** No usable answer: the state of the record is unknown. */
  sealed interface Failure extends DnsOutcome {
    @Override
    default List<Name> cnameChain() {
      return List.of();
    }
  }

  record ServFail(String server) implements Failure {
    @Override
    public DnsStatus status() {
      return DnsStatus.SERVFAIL;
    }

    @Override
    public String detail() {
      return "SERVFAIL from " + server;
    }
  }

  record Refused(String server) implements Failure {
    @Override
    public DnsStatus status() {
      return DnsStatus.REFUSED;
    }

    @Override
    public String detail() {
      return "REFUSED by " + server;
    }
  }

  /** No answer in time, after every attempt or when the check's own deadline ran out. */
  record Timeout(String detail) implements Failure {
    @Override
    public DnsStatus status() {
      return DnsStatus.TIMEOUT;
    }
  }

  /** Anything else: another rcode, a malformed reply, an unreachable server. */
  record Error(String detail) implements Failure {
    @Override
    public DnsStatus status() {
      return DnsStatus.ERROR;
    }
  }
}
