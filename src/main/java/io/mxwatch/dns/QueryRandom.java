package io.mxwatch.dns;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unpredictable bits of a query: its ID and the letters' case of its name (0x20), what an
 * off-path forger has to guess. They come from the kernel's generator, {@code /dev/urandom}, read
 * {@value #BLOCK} bytes at a time, every byte used once. The JDK's default {@link SecureRandom}
 * reads the same device but mixes every request with SHA-1 output of its own: a check of 100,000
 * domains asks for 9 MB, and the mixing and compiling it cost more CPU than the rest of the
 * randomness together. Where there is no {@code /dev/urandom} (or it fails), {@link SecureRandom}.
 */
final class QueryRandom {
  private static final Logger log = LoggerFactory.getLogger(QueryRandom.class);
  static final int BLOCK = 4096;
  private static final byte[] block = new byte[BLOCK];
  private static int used = BLOCK;
  /** The kernel's generator; null: not there, or it failed, and {@link #fallback} is used. */
  private static InputStream urandom = open();
  private static SecureRandom fallback;

  private QueryRandom() {}

  /** A query ID: 16 random bits. */
  static synchronized int id() {
    return (next() << 8) | next();
  }

  /** 64 random bits. */
  static synchronized long bits() {
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | next();
    }
    return bits;
  }

  /** The next unused byte; the caller holds the class's lock. */
  private static int next() {
    if (used == BLOCK) {
      refill();
      used = 0;
    }
    return block[used++] & 0xff;
  }

  private static void refill() {
    if (urandom != null) {
      try {
        if (urandom.readNBytes(block, 0, BLOCK) == BLOCK) {
          return;
        }
        log.warn("/dev/urandom ended; query IDs come from the JDK's SecureRandom from now on");
      } catch (IOException e) {
        log.warn("reading /dev/urandom failed; query IDs come from the JDK's SecureRandom from now on", e);
      }
      closeQuietly(urandom);
      urandom = null;
    }
    if (fallback == null) {
      fallback = new SecureRandom();
    }
    fallback.nextBytes(block);
  }

  private static InputStream open() {
    try {
      return new FileInputStream("/dev/urandom");
    } catch (IOException | SecurityException e) {
      return null; // not a Unix-like system: SecureRandom
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the generator is dropped either way
    }
  }
}
