package io.mxwatch.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The roots served chains are judged against: the JDK's (the system's) or a PEM bundle. */
public final class TrustStores {
  /** The largest PEM bundle read (the system bundle is about 200 KiB). */
  static final long MAX_BUNDLE = 16L * 1024 * 1024;

  private TrustStores() {}

  /** The JDK's default trust store (its cacerts, or the one {@code javax.net.ssl.trustStore} names). */
  public static X509TrustManager system() {
    try {
      return first(null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's trust store cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The certificates of a PEM (or DER) bundle as the only roots.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static X509TrustManager fromFile(Path bundle) {
    try {
      if (Files.size(bundle) > MAX_BUNDLE) {
        throw new IllegalArgumentException(bundle + " is larger than " + MAX_BUNDLE / (1024 * 1024) + " MiB: not a certificate bundle");
      }
      Collection<? extends Certificate> certs;
      try (InputStream in = Files.newInputStream(bundle)) {
        certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(bundle + " holds no certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("root-" + i++, c);
      }
      return first(store);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + bundle + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(bundle + " is not a bundle of X.509 certificates: " + e.getMessage(), e);
    }
  }

  private static X509TrustManager first(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }
}
