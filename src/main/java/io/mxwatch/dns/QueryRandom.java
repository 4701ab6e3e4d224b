package io.mxwatch.dns;

import java.security.SecureRandom;

/**
 * The unpredictable bits of a query: its ID and the letters' case of its name (0x20), what an
 * off-path forger has to guess. They come from the system's {@link SecureRandom}, read a block at
 * a time: the JDK's default generator mixes every request with a SHA-1 block of 20 bytes, so the
 * 2 bytes of an ID asked for alone cost a whole block; read in blocks, every byte is used once.
 */
final class QueryRandom {
  private static final SecureRandom SOURCE = new SecureRandom();
  private static final int BLOCK = 1024;
  private static final byte[] block = new byte[BLOCK];
  private static int used = BLOCK;

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
      SOURCE.nextBytes(block);
      used = 0;
    }
    return block[used++] & 0xff;
  }
}
