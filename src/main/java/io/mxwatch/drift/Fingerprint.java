package io.mxwatch.drift;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * What an {@link Observation} holds, as 128 bits of SHA-256: equal observations have equal
 * fingerprints, and different ones different fingerprints (short of a SHA-256 collision). The
 * observation is written in an unambiguous form — every string with its length, every list with
 * its size, every record by its components — so that {@code ["a, b"]} and {@code ["a", "b"]}
 * never meet. A banner counts by its stable part only, as {@link DomainState.Smtp#equals} does.
 *
 * <p>This is what tells a repeated check from a new state, every check: it costs a walk over the
 * records, not a JSON rendering.
 */
public record Fingerprint(long high, long low) {

  public static Fingerprint of(Observation observation) {
    Writer w = new Writer();
    w.value(observation);
    byte[] digest = w.digest();
    return new Fingerprint(long64(digest, 0), long64(digest, 8));
  }

  /** 32 hexadecimal digits. */
  public String hex() {
    return HexFormat.of().toHexDigits(high) + HexFormat.of().toHexDigits(low);
  }

  private static long long64(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  /** The record components of each record class, read once. */
  private static final ClassValue<Method[]> ACCESSORS =
      new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
          RecordComponent[] components = type.getRecordComponents();
          Method[] out = new Method[components.length];
          for (int i = 0; i < components.length; i++) {
            out[i] = components[i].getAccessor();
            out[i].setAccessible(true);
          }
          return out;
        }
      };

  /** One SHA-256 per thread: MessageDigest.getInstance looks the provider up on every call. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
          });

  private static final class Writer {
    private byte[] buf = new byte[1024];
    private int len;

    void value(Object v) {
      switch (v) {
        case null -> tag(0);
        case String s -> string(s);
        case Boolean b -> {
          tag(2);
          tag(b ? 1 : 0);
        }
        case Number n -> {
          tag(3);
          string(n.toString());
        }
        case Enum<?> e -> {
          tag(4);
          string(e.name());
        }
        case DomainState.Smtp smtp -> {
          // as its equals: the greeting as sent is shown, not compared
          tag(5);
          value(smtp.reachable());
          value(smtp.banner());
        }
        case DomainState d -> {
          // as a record, but TLS, MTA-STS, TLSA, DNSSEC and DKIM only when they say something: a state without
          // them (no handshake, no MTA-STS, no TLSA, not validated, no selector) keeps the fingerprint it had before they were kept
          tag(8);
          string(DomainState.class.getName());
          value(d.mx());
          value(d.spf());
          value(d.dmarc());
          value(d.smtp());
          value(d.findings());
          if (d.tls() != null && !d.tls().isEmpty()) {
            tag(9);
            value(d.tls());
          }
          if (d.mtaSts() != null && !d.mtaSts().equals(DomainState.MtaSts.NONE)) {
            tag(10);
            value(d.mtaSts());
          }
          if (d.tlsa() != null && !d.tlsa().isEmpty()) {
            tag(11);
            value(d.tlsa());
          }
          if (d.dnssec() != null) {
            tag(12);
            string(d.dnssec());
          }
          if (d.dkim() != null && !d.dkim().isEmpty()) {
            tag(13);
            value(d.dkim());
          }
          if (d.nameservers() != null) {
            tag(14);
            value(d.nameservers());
          }
        }
        case Collection<?> c -> {
          tag(6);
          integer(c.size());
          c.forEach(this::value);
        }
        case SortedMap<?, ?> m -> {
          tag(7);
          integer(m.size());
          m.forEach(
              (k, x) -> {
                value(k);
                value(x);
              });
        }
        case Map<?, ?> m -> throw new IllegalArgumentException("an unordered map has no fingerprint: " + m.getClass().getName());
        case Record r -> {
          tag(8);
          string(r.getClass().getName());
          for (Method accessor : ACCESSORS.get(r.getClass())) {
            try {
              value(accessor.invoke(r));
            } catch (IllegalAccessException | InvocationTargetException e) {
              throw new IllegalStateException("cannot read " + accessor, e);
            }
          }
        }
        default -> throw new IllegalArgumentException("no fingerprint for " + v.getClass().getName());
      }
    }

    private void string(String s) {
      tag(1);
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      integer(bytes.length);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, len, bytes.length);
      len += bytes.length;
    }

    private void integer(int i) {
      ensure(4);
      buf[len++] = (byte) (i >>> 24);
      buf[len++] = (byte) (i >>> 16);
      buf[len++] = (byte) (i >>> 8);
      buf[len++] = (byte) i;
    }

    private void tag(int t) {
      ensure(1);
      buf[len++] = (byte) t;
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    byte[] digest() {
      MessageDigest sha = SHA256.get(); // digest() leaves it reset for the next
      sha.update(buf, 0, len);
      return sha.digest();
    }
  }
}
