package io.mxwatch.drift;

import io.mxwatch.audit.Finding;
import io.mxwatch.audit.FindingCode;
import io.mxwatch.audit.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What drift is judged on: a domain's mail routing without timestamps, latencies or anything
 * else that differs between two checks of an unchanged domain. Two checks that saw the same
 * records, reachability and findings give equal states.
 *
 * <p>A section is null when the check could not tell (its lookup failed, or SMTP was not probed);
 * {@link #filledFrom} fills it from the last known state, so a failed lookup never reads as a
 * removed record.
 *
 * @param mx the routing, null when unknown
 * @param spf the {@code v=spf1} records, sorted; empty when there is none; null when unknown
 * @param dmarc the DMARC records, sorted; empty when there is none; null when unknown
 * @param smtp per probed address, sorted by address; null when unknown or not probed
 * @param findings the audit findings (without those about failures, which are reported as
 *     DNS_LOOKUP_FAILING), sorted by code and subject; null when a lookup failed
 * @param tls per exchange address that completed a STARTTLS handshake, the certificates served
 *     (one per key type); null when no handshake was made (probing or handshakes off), and in
 *     states stored before handshakes
 * @param mtaSts the MTA-STS policy senders apply; null when unknown (a lookup or the fetch failed),
 *     and in states stored before MTA-STS
 * @param tlsa per exchange with TLSA records, the records ({@code usage selector type data});
 *     null when they were not looked up (DNSSEC validation off) or a TLSA lookup failed, and in
 *     states stored before them
 * @param dnssec the DNSSEC validation of the MX answer: {@code secure}, {@code insecure} or
 *     {@code bogus}; null when not validated or indeterminate (a lookup it needed failed), and in
 *     states stored before it
 * @param dkim per configured DKIM selector, its key; null when a key lookup failed, and in states
 *     stored before DKIM keys were checked; empty when no selector is configured
 * @param nameservers per nameserver address that answered with authority ({@code ns1.example.net
 *     (192.0.2.1)}), the MX set it serves: where a change has propagated to; null when the
 *     nameservers were not asked (and in states stored before they were)
 */
public record DomainState(
    Mx mx, List<String> spf, List<String> dmarc, SortedMap<String, Smtp> smtp, List<Seen> findings,
    SortedMap<String, List<Cert>> tls, MtaSts mtaSts, SortedMap<String, List<String>> tlsa, String dnssec,
    SortedMap<String, Dkim> dkim, SortedMap<String, NsMx> nameservers) {

  public DomainState {
    spf = spf == null ? null : List.copyOf(spf);
    dmarc = dmarc == null ? null : List.copyOf(dmarc);
    smtp = smtp == null ? null : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(smtp));
    findings = findings == null ? null : List.copyOf(findings);
    if (tls != null) {
      TreeMap<String, List<Cert>> copy = new TreeMap<>();
      tls.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      tls = java.util.Collections.unmodifiableSortedMap(copy);
    }
    if (tlsa != null) {
      TreeMap<String, List<String>> copy = new TreeMap<>();
      tlsa.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      tlsa = java.util.Collections.unmodifiableSortedMap(copy);
    }
    dkim = dkim == null ? null : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(dkim));
    nameservers = nameservers == null ? null : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(nameservers));
  }

  /** A state without the nameservers' view (as stored before it). */
  public DomainState(
      Mx mx, List<String> spf, List<String> dmarc, SortedMap<String, Smtp> smtp, List<Seen> findings, SortedMap<String, List<Cert>> tls,
      MtaSts mtaSts, SortedMap<String, List<String>> tlsa, String dnssec, SortedMap<String, Dkim> dkim) {
    this(mx, spf, dmarc, smtp, findings, tls, mtaSts, tlsa, dnssec, dkim, null);
  }

  /**
   * The MX set one nameserver serves.
   *
   * @param mx {@code preference exchange}, sorted
   * @param ttl the TTL of its MX records: how long resolvers keep the set; null without records
   */
  public record NsMx(List<String> mx, Long ttl) {
    public NsMx {
      mx = List.copyOf(mx);
    }
  }

  /**
   * Whether the answering nameservers serve different MX sets: a change in progress, during which
   * the MX set a resolver gives depends on which nameserver it asked last.
   */
  public boolean mxInFlux() {
    return nameservers != null && nameservers.size() > 1 && nameserversAgreeOn() == null;
  }

  /** This state with the MX set and what depends on it (probes, certificates, TLSA) unknown. */
  DomainState withExchangesUnknown() {
    return new DomainState(null, spf, dmarc, null, findings, null, mtaSts, null, dnssec, dkim, nameservers);
  }

  /** The MX set every answering nameserver serves; null when they disagree or were not asked. */
  public List<String> nameserversAgreeOn() {
    if (nameservers == null || nameservers.isEmpty()) {
      return null;
    }
    List<String> first = nameservers.values().iterator().next().mx();
    return nameservers.values().stream().allMatch(n -> n.mx().equals(first)) ? first : null;
  }
  /** A state without DKIM keys (as stored before them). */
  public DomainState(
      Mx mx, List<String> spf, List<String> dmarc, SortedMap<String, Smtp> smtp, List<Seen> findings, SortedMap<String, List<Cert>> tls,
      MtaSts mtaSts, SortedMap<String, List<String>> tlsa, String dnssec) {
    this(mx, spf, dmarc, smtp, findings, tls, mtaSts, tlsa, dnssec, null, null);
  }

  /**
   * The DKIM key of a selector as verifiers can use it.
   *
   * @param state {@code key} (a usable key), {@code revoked} (empty p=), {@code invalid} (no
   *     usable key record) or {@code missing} (no record)
   * @param keyType {@code rsa} or {@code ed25519} when there is a key
   * @param bits the key's size when there is a key
   * @param sha256 SHA-256 of the key when there is one: what tells a replaced key
   */
  public record Dkim(String state, String keyType, Integer bits, String sha256) {
    public static final Dkim MISSING = new Dkim("missing", null, null, null);
    public static final Dkim REVOKED = new Dkim("revoked", null, null, null);
    public static final Dkim INVALID = new Dkim("invalid", null, null, null);

    boolean usable() {
      return state.equals("key");
    }

    String shown() {
      return usable() ? keyType + " " + bits + " bits, key " + sha256.substring(0, Math.min(16, sha256.length())) + "…" : state;
    }
  }

  /** A state without TLS and MTA-STS (as stored before them). */
  public DomainState(Mx mx, List<String> spf, List<String> dmarc, SortedMap<String, Smtp> smtp, List<Seen> findings) {
    this(mx, spf, dmarc, smtp, findings, null, null, null, null, null, null);
  }

  /** A state without TLSA records (as stored before them). */
  public DomainState(
      Mx mx, List<String> spf, List<String> dmarc, SortedMap<String, Smtp> smtp, List<Seen> findings, SortedMap<String, List<Cert>> tls,
      MtaSts mtaSts) {
    this(mx, spf, dmarc, smtp, findings, tls, mtaSts, null, null, null, null);
  }

  /** A state without the DNSSEC status (as stored before it). */
  public DomainState(
      Mx mx, List<String> spf, List<String> dmarc, SortedMap<String, Smtp> smtp, List<Seen> findings, SortedMap<String, List<Cert>> tls,
      MtaSts mtaSts, SortedMap<String, List<String>> tlsa) {
    this(mx, spf, dmarc, smtp, findings, tls, mtaSts, tlsa, null, null, null);
  }

  /**
   * A certificate an exchange address served.
   *
   * @param keyType {@code RSA}, {@code EC} …
   * @param spki SHA-256 of the key
   * @param cert SHA-256 of the certificate
   * @param subject its subject, to show
   * @param notAfter its end of validity, to show
   */
  public record Cert(String keyType, String spki, String cert, String subject, String notAfter) {
    String shown() {
      return subject + " until " + notAfter + ", key " + spki.substring(0, Math.min(16, spki.length())) + "…";
    }
  }

  /**
   * The MTA-STS policy senders apply.
   *
   * @param published whether the domain publishes one valid policy (else the other fields are empty)
   * @param id the {@code _mta-sts} record's id
   * @param mode enforce, testing or none
   * @param maxAge the policy's max_age
   * @param mx its mx patterns, sorted
   */
  public record MtaSts(boolean published, String id, String mode, Long maxAge, List<String> mx) {
    public static final MtaSts NONE = new MtaSts(false, null, null, null, List.of());

    public MtaSts {
      mx = List.copyOf(mx);
    }

    /** The policy as senders read it, without its id. */
    String policy() {
      return published ? "mode " + mode + ", max_age " + maxAge + ", mx " + String.join(" ", mx) : "no MTA-STS policy";
    }

    /** enforce 2, testing 1, none or no policy 0. */
    int strength() {
      return !published ? 0 : switch (mode) {
        case "enforce" -> 2;
        case "testing" -> 1;
        default -> 0;
      };
    }
  }

  /**
   * How mail is routed.
   *
   * @param mode {@code mx}, {@code null_mx}, {@code implicit} or {@code none}
   * @param exchanges sorted by preference, then name
   */
  public record Mx(String mode, List<Exchange> exchanges) {
    public Mx {
      exchanges = List.copyOf(exchanges);
    }

    Exchange exchange(String name) {
      return exchanges.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
    }
  }

  /**
   * One exchange.
   *
   * @param ttl the MX record's TTL when the answer was authoritative, else null
   * @param addresses its A and AAAA addresses, sorted; null when a lookup of them failed
   */
  public record Exchange(int preference, String name, Long ttl, List<String> addresses) {
    public Exchange {
      addresses = addresses == null ? null : List.copyOf(addresses);
    }

    static final Comparator<Exchange> ORDER = Comparator.comparingInt(Exchange::preference).thenComparing(Exchange::name);
  }

  /**
   * One exchange address as the SMTP probe found it. Two are equal when reachability and the
   * stable banner agree: the greeting as sent is kept only to be shown.
   *
   * @param reachable whether the conversation got as far as a greeting
   * @param banner the first greeting line as {@link #stableBanner} makes it, so that clocks,
   *     session IDs and load-balanced front-end names are no change; null when there was no
   *     greeting
   * @param greeting the first greeting line as the server sent it (from the first check that saw
   *     this banner); null when there was none, or in states stored before it was kept
   */
  public record Smtp(boolean reachable, String banner, String greeting) {
    private static final Pattern DATE_WORD = Pattern.compile("\\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\\b");
    private static final Pattern NAME_RUN = Pattern.compile("[A-Za-z0-9_#-]++");
    // a name run with a digit in it; '#' counts as one, so a banner made stable before (digits
    // as '#') comes out the same as the greeting it was made from
    private static final Pattern VOLATILE = Pattern.compile(".*[0-9#].*");

    public Smtp {
      banner = stableBanner(banner); // once, here: states stored in the earlier form read the same
    }

    /** The probe's view of an address: {@code greeting} is its first greeting line, or null. */
    public static Smtp of(boolean reachable, String greeting) {
      return new Smtp(reachable, greeting, greeting);
    }

    /**
     * The part of a banner that stays the same from one connection to the next: every run of
     * name characters that holds a digit (clock, date, queue or session ID, version, numbered
     * front-end host such as {@code BN8NAM11FT012}) and every English day and month name becomes
     * {@code #}. {@code mx.google.com ESMTP 5b1f17b1804b1-47a8si1234567wmb.12 - gsmtp} →
     * {@code mx.google.com ESMTP #.# - gsmtp}.
     */
    public static String stableBanner(String greeting) {
      if (greeting == null) {
        return null;
      }
      // one pass over the runs: linear in the banner's length, whatever a server sends
      return NAME_RUN.matcher(DATE_WORD.matcher(greeting).replaceAll("#"))
          .replaceAll(run -> VOLATILE.matcher(run.group()).matches() ? "#" : Matcher.quoteReplacement(run.group()));
    }

    /** What to show for the greeting: as sent when known, else the stable banner. */
    public String shown() {
      return greeting != null ? greeting : banner;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Smtp s && reachable == s.reachable && Objects.equals(banner, s.banner);
    }

    @Override
    public int hashCode() {
      return Objects.hash(reachable, banner);
    }
  }

  /** A finding as far as drift cares: (code, subject) identifies it. */
  public record Seen(String code, Severity severity, String subject, String message) {
    static final Comparator<Seen> ORDER = Comparator.comparing(Seen::code).thenComparing(Seen::subject);

    static Seen of(Finding finding) {
      return new Seen(finding.code().name(), finding.severity(), finding.subject(), finding.message());
    }

    String key() {
      return code + " " + subject;
    }
  }

  /** Findings that describe failures, which drift reports as DNS_LOOKUP_FAILING or per address. */
  static boolean trackedFinding(FindingCode code) {
    // RECORDS_CHURNING tells of the history, not of the records: never a change of its own
    return code != FindingCode.DNS_LOOKUP_FAILED && code != FindingCode.SMTP_UNREACHABLE && code != FindingCode.RECORDS_CHURNING;
  }

  /** Whether every section is known. */
  public boolean complete() {
    return mx != null && spf != null && dmarc != null && findings != null && mx.exchanges().stream().allMatch(e -> e.addresses() != null);
  }

  /** This state with every unknown part taken from {@code known} (returned as is when null). */
  public DomainState filledFrom(DomainState known) {
    if (known == null) {
      return this;
    }
    Mx filledMx = mx == null ? known.mx() : fillAddresses(mx, known.mx());
    SortedMap<String, Smtp> filledSmtp = smtp;
    if (filledSmtp == null) {
      filledSmtp = known.smtp();
    } else if (known.smtp() != null) {
      // addresses not probed this time because their lookup failed keep their last state
      SortedMap<String, Smtp> merged = new TreeMap<>(filledSmtp);
      for (Exchange e : filledMx == null ? List.<Exchange>of() : filledMx.exchanges()) {
        Exchange now = mx == null ? null : mx.exchange(e.name());
        if (now == null || now.addresses() == null) {
          for (String address : e.addresses() == null ? List.<String>of() : e.addresses()) {
            Smtp previous = known.smtp().get(address);
            if (previous != null) {
              merged.putIfAbsent(address, previous);
            }
          }
        }
      }
      filledSmtp = merged;
    }
    return new DomainState(
        filledMx,
        spf == null ? known.spf() : spf,
        dmarc == null ? known.dmarc() : dmarc,
        filledSmtp,
        findings == null ? known.findings() : mx == null && known.findings() != null ? withKnownExchangeFindings(findings, known.findings()) : findings,
        tls == null ? known.tls() : tls,
        mtaSts == null ? known.mtaSts() : mtaSts,
        tlsa == null ? known.tlsa() : tlsa,
        dnssec == null ? known.dnssec() : dnssec,
        dkim == null ? known.dkim() : dkim,
        nameservers == null ? known.nameservers() : nameservers);
  }

  /**
   * Findings about the MX set and its exchanges (their addresses, probes, certificates, DANE):
   * when the MX set is unknown, those of the last known state stand in for the ones just made.
   */
  static boolean aboutExchanges(String code) {
    return code.startsWith("MX_") || code.startsWith("SMTP_") || code.startsWith("TLS_") || code.startsWith("DANE_") || code.startsWith("MTA_STS_MX_");
  }

  private static List<Seen> withKnownExchangeFindings(List<Seen> now, List<Seen> known) {
    List<Seen> out = new ArrayList<>();
    now.stream().filter(f -> !aboutExchanges(f.code())).forEach(out::add);
    known.stream().filter(f -> aboutExchanges(f.code())).forEach(out::add);
    out.sort(Seen.ORDER);
    return out;
  }

  private static Mx fillAddresses(Mx mx, Mx known) {
    if (known == null || mx.exchanges().stream().allMatch(e -> e.addresses() != null)) {
      return mx;
    }
    List<Exchange> exchanges = new ArrayList<>();
    for (Exchange e : mx.exchanges()) {
      Exchange before = known.exchange(e.name());
      exchanges.add(
          e.addresses() == null && before != null ? new Exchange(e.preference(), e.name(), e.ttl(), before.addresses()) : e);
    }
    return new Mx(mx.mode(), exchanges);
  }

  /** Findings by (code, subject). */
  Map<String, Seen> findingsByKey() {
    Map<String, Seen> byKey = new HashMap<>();
    if (findings != null) {
      findings.forEach(f -> byKey.put(f.key(), f));
    }
    return byKey;
  }
}
