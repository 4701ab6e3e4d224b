package io.mxwatch.smtp;

import java.util.List;

/**
 * One SMTP reply: its code and the text of each line (escaped, without the code and separator).
 */
record Reply(int code, List<String> lines) {
  Reply {
    lines = List.copyOf(lines);
  }
}
