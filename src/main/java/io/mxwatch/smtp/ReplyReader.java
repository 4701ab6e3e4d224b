package io.mxwatch.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP replies (RFC 5321 §4.2) from a server that may be hostile: every line, every reply and
 * the whole conversation have a size cap, and every read waits no longer than the probe's
 * remaining time. What does not parse is reported, never trusted.
 */
final class ReplyReader {
  static final int MAX_LINE_BYTES = 2048;
  static final int MAX_LINES = 100;
  static final int MAX_TOTAL_BYTES = 32 * 1024;
  /** Received text kept per line in results. */
  static final int MAX_KEPT_CHARS = 512;

  /** The server sent something that is not a well-formed reply within the caps. */
  static final class MalformedReply extends IOException {
    private final List<String> received;

    MalformedReply(String reason, List<String> received) {
      super(reason);
      this.received = List.copyOf(received);
    }

    List<String> received() {
      return received;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final long deadlineNanos;
  private final long readTimeoutNanos;
  private final byte[] buffer = new byte[4096];
  private int position;
  private int limit;
  private int totalBytes;
  /** Lines of the reply being read, for reporting what arrived before a failure. */
  private final List<String> partial = new ArrayList<>();

  ReplyReader(Socket socket, long deadlineNanos, long readTimeoutNanos) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.deadlineNanos = deadlineNanos;
    this.readTimeoutNanos = readTimeoutNanos;
  }

  /** The lines of the reply that was being read when reading stopped. */
  List<String> partial() {
    return List.copyOf(partial);
  }

  /** Reads one complete (possibly multi-line) reply within the read timeout. */
  Reply read() throws IOException {
    return read(readTimeoutNanos);
  }

  /** Reads one complete reply, waiting at most {@code maxWaitNanos} (and never past the deadline). */
  Reply read(long maxWaitNanos) throws IOException {
    partial.clear();
    long replyDeadline = Math.min(deadlineNanos, System.nanoTime() + maxWaitNanos);
    int code = -1;
    while (true) {
      if (partial.size() >= MAX_LINES) {
        throw new MalformedReply("more than " + MAX_LINES + " lines in one reply", partial);
      }
      byte[] line = readLine(replyDeadline);
      String text = escape(line, 4);
      if (line.length < 3 || !isDigit(line[0]) || !isDigit(line[1]) || !isDigit(line[2])) {
        partial.add(escape(line, 0));
        throw new MalformedReply("not an SMTP reply line: \"" + escape(line, 0) + "\"", partial);
      }
      int lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      partial.add(text);
      if (line[0] < '2' || line[0] > '5') {
        throw new MalformedReply("reply code " + lineCode + " is out of range", partial);
      }
      if (code >= 0 && lineCode != code) {
        throw new MalformedReply(
            "reply code changed from " + code + " to " + lineCode + " within one reply", partial);
      }
      code = lineCode;
      if (line.length == 3 || line[3] == ' ') {
        return new Reply(code, partial);
      }
      if (line[3] != '-') {
        throw new MalformedReply(
            "no space or hyphen after the reply code: \"" + escape(line, 0) + "\"", partial);
      }
    }
  }

  /** Reads up to LF (CRLF or bare LF), without the terminator. */
  private byte[] readLine(long replyDeadline) throws IOException {
    byte[] line = new byte[128];
    int length = 0;
    while (true) {
      if (position == limit) {
        fill(replyDeadline);
      }
      byte b = buffer[position++];
      if (++totalBytes > MAX_TOTAL_BYTES) {
        throw new MalformedReply("more than " + MAX_TOTAL_BYTES + " bytes received", partial);
      }
      if (b == '\n') {
        if (length > 0 && line[length - 1] == '\r') {
          length--;
        }
        return java.util.Arrays.copyOf(line, length);
      }
      if (length == MAX_LINE_BYTES) {
        partial.add(escape(java.util.Arrays.copyOf(line, length), 0));
        throw new MalformedReply("a line longer than " + MAX_LINE_BYTES + " bytes", partial);
      }
      if (length == line.length) {
        line = java.util.Arrays.copyOf(line, Math.min(line.length * 2, MAX_LINE_BYTES + 1));
      }
      line[length++] = b;
    }
  }

  private void fill(long replyDeadline) throws IOException {
    long remaining = replyDeadline - System.nanoTime();
    if (remaining <= 0) {
      throw new SocketTimeoutException("reply timed out");
    }
    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining / 1_000_000)));
    int n = in.read(buffer);
    if (n < 0) {
      throw new EOFException("connection closed by the server");
    }
    position = 0;
    limit = n;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /**
   * Printable ASCII from {@code offset}, every other byte as {@code \xNN}, cut at {@link
   * #MAX_KEPT_CHARS}.
   */
  static String escape(byte[] bytes, int offset) {
    StringBuilder out = new StringBuilder();
    for (int i = offset; i < bytes.length && out.length() < MAX_KEPT_CHARS; i++) {
      int b = bytes[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        out.append((char) b);
      } else if (b == '\\') {
        out.append("\\\\");
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    if (out.length() >= MAX_KEPT_CHARS) {
      out.setLength(MAX_KEPT_CHARS);
      out.append("...");
    }
    return out.toString();
  }
}
