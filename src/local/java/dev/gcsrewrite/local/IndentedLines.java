package dev.gcsrewrite.local;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints another command's output inside the stack's own, each line behind a label in the stack's
 * first column (as {@code emulator}, {@code redis}, ... are), so the reader can tell whose it is.
 */
final class IndentedLines extends OutputStream {
  private final PrintStream out;
  private final String prefix;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private IndentedLines(PrintStream out, String prefix) {
    this.out = out;
    this.prefix = prefix;
  }

  /** A stream printing to {@code out}, every line after {@code prefix}; blank lines stay blank. */
  static PrintStream of(PrintStream out, String prefix) {
    return new PrintStream(new IndentedLines(out, prefix), true, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      String text = line.toString(StandardCharsets.UTF_8);
      out.println(text.isBlank() ? "" : prefix + text);
      line.reset();
    } else {
      line.write(b);
    }
  }

  @Override
  public void flush() {
    out.flush();
  }

  /** Prints an unfinished last line; {@code out} stays open. */
  @Override
  public synchronized void close() {
    if (line.size() > 0) {
      write('\n');
    }
    out.flush();
  }
}
