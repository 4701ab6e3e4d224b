package io.mxwatch.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests: a root, its PEM bundle for the prober to trust, and leaf
 * certificates issued on demand (RSA or ECDSA, any names, any validity), also per SNI name as a
 * TLS server asks for them.
 */
public final class TestCa {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());
  private static final TestCa SHARED = new TestCa("mxwatch test root");

  /** A private key and the chain to serve with it, leaf first. */
  public record Leaf(PrivateKey key, X509Certificate[] chain) {
    public X509Certificate certificate() {
      return chain[0];
    }
  }

  public enum Key {
    RSA,
    EC
  }

  private final KeyPair root;
  private final X509Certificate rootCert;
  private final Path bundle;

  public TestCa(String name) {
    try {
      root = keys(Key.RSA);
      X500Name subject = new X500Name("CN=" + name);
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, root.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      rootCert = sign(b, root.getPrivate());
      bundle = Files.createTempFile("mxwatch-test-ca", ".pem");
      bundle.toFile().deleteOnExit();
      Files.writeString(bundle, pem(rootCert));
    } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("test CA", e);
    }
  }

  /** The CA of the test JVM, whose bundle the fixtures trust. */
  public static TestCa shared() {
    return SHARED;
  }

  /** {@code settings} with handshakes that trust this CA (the JDK's roots do not know it). */
  public static io.mxwatch.smtp.SmtpSettings trusting(io.mxwatch.smtp.SmtpSettings settings) {
    return settings.withTls(new io.mxwatch.smtp.SmtpSettings.Tls(true, true, SHARED.bundle()));
  }

  /** The root as a PEM file. */
  public Path bundle() {
    return bundle;
  }

  public X509Certificate root() {
    return rootCert;
  }

  /** A leaf for {@code names} valid from {@code notBefore} to {@code notAfter}, issued by this CA. */
  public Leaf issue(Key key, List<String> names, Instant notBefore, Instant notAfter) {
    return issue(key, names, notBefore, notAfter, false);
  }

  /** A leaf valid from a day ago for 90 days. */
  public Leaf issue(Key key, List<String> names) {
    Instant now = Instant.now();
    return issue(key, names, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)));
  }

  /** A self-signed certificate for {@code names}. */
  public static Leaf selfSigned(Key key, List<String> names) {
    Instant now = Instant.now();
    return SHARED.issue(key, names, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)), true);
  }

  /**
   * A leaf like {@link #issue(Key, List, Instant, Instant)} with a key pair of its own: certificates
   * issued otherwise share one key pair per key type (generating an RSA key takes a tenth of a
   * second, and a test of 100 domains would wait for 400 of them).
   */
  public Leaf issueWithNewKey(Key key, List<String> names, Instant notBefore, Instant notAfter) {
    try {
      return issue(keys(key), names, notBefore, notAfter, false);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private final Map<Key, KeyPair> leafKeys = new ConcurrentHashMap<>();

  private Leaf issue(Key key, List<String> names, Instant notBefore, Instant notAfter, boolean selfSigned) {
    return issue(leafKeys.computeIfAbsent(key, k -> {
      try {
        return keys(k);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }), names, notBefore, notAfter, selfSigned);
  }

  private Leaf issue(KeyPair pair, List<String> names, Instant notBefore, Instant notAfter, boolean selfSigned) {
    try {
      X500Name subject = new X500Name("CN=" + (names.isEmpty() ? "no name" : names.getFirst()));
      X500Name issuer = selfSigned ? subject : new X500Name(rootCert.getSubjectX500Principal().getName());
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore), Date.from(notAfter), subject, pair.getPublic());
      if (!names.isEmpty()) {
        GeneralName[] sans = names.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      }
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      X509Certificate cert = sign(b, selfSigned ? pair.getPrivate() : root.getPrivate());
      return new Leaf(pair.getPrivate(), selfSigned ? new X509Certificate[] {cert} : new X509Certificate[] {cert, rootCert});
    } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("issuing a test certificate", e);
    }
  }

  /**
   * A server context whose certificate is chosen per handshake by {@code choose(sniName, key)}:
   * null means the server has no certificate of that key type. The SNI name is null when the
   * client sent none.
   */
  public static SSLContext serverContext(BiFunction<String, Key, Leaf> choose) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new Chooser(choose)}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Leaves for whatever name is asked, of both key types, valid for years either side of now (the
   * fixtures' fixed clock stands in the past): what a healthy exchange serves. Issued once per
   * name and key type for the whole test JVM.
   */
  public BiFunction<String, Key, Leaf> forEveryName() {
    return (name, key) -> everyName.computeIfAbsent(key + " " + name, k -> {
      Instant now = Instant.now();
      // the name asked and its siblings: an address that serves mx1 and mx2 of a domain is covered
      List<String> names = name == null ? List.of("localhost") : name.indexOf('.') > 0 ? List.of(name, "*" + name.substring(name.indexOf('.'))) : List.of(name);
      return issue(key, names, now.minus(Duration.ofDays(3650)), now.plus(Duration.ofDays(3650)));
    });
  }

  private final Map<String, Leaf> everyName = new ConcurrentHashMap<>();

  public static String pem(X509Certificate cert) throws GeneralSecurityException {
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static KeyPair keys(Key key) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance(key == Key.RSA ? "RSA" : "EC");
    if (key == Key.RSA) {
      g.initialize(2048);
    } else {
      g.initialize(new ECGenParameterSpec("secp256r1"));
    }
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws org.bouncycastle.operator.OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA").build(key);
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  /** Picks the certificate for each handshake by the SNI name and the key type asked for. */
  private static final class Chooser extends X509ExtendedKeyManager {
    private final BiFunction<String, Key, Leaf> choose;
    private final Map<String, Leaf> byAlias = new ConcurrentHashMap<>();

    Chooser(BiFunction<String, Key, Leaf> choose) {
      this.choose = choose;
    }

    private String alias(String keyType, SSLSession handshake) {
      Key key = keyType.startsWith("EC") ? Key.EC : keyType.startsWith("RSA") ? Key.RSA : null;
      if (key == null) {
        return null;
      }
      String sni = null;
      if (handshake instanceof ExtendedSSLSession e) {
        for (SNIServerName n : e.getRequestedServerNames()) {
          if (n instanceof SNIHostName h) {
            sni = h.getAsciiName();
          }
        }
      }
      Leaf leaf = choose.apply(sni, key);
      if (leaf == null) {
        return null;
      }
      String alias = key + " " + sni + " " + leaf.certificate().getSerialNumber();
      byAlias.put(alias, leaf);
      return alias;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(keyType, socket instanceof SSLSocket s ? s.getHandshakeSession() : null);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return alias(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Leaf leaf = byAlias.get(alias);
      return leaf == null ? null : leaf.chain();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Leaf leaf = byAlias.get(alias);
      return leaf == null ? null : leaf.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

}
