package dev.gcsrewrite.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Reads a {@code --rewriteRulesFile} (gs:// or local, through Beam's file systems) once, at launch:
 * the one piece of option checking that does I/O, kept apart from {@link JobSettings} so that the
 * checks can be tested with any text.
 */
public final class RulesFile {
  /** Largest rules file read; a rules file is a short list, not data. */
  public static final int MAX_BYTES = 1 << 20;

  private RulesFile() {}

  /**
   * The text of {@code file}, strict UTF-8.
   *
   * @throws InvalidOptionException naming --rewriteRulesFile when it is empty, unreadable, too
   *     large or not UTF-8
   */
  public static String read(String file) {
    if (file.isBlank()) {
      throw new InvalidOptionException("rewriteRulesFile", "is empty");
    }
    byte[] content;
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file, false)))) {
      content = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidOptionException("rewriteRulesFile", "cannot read " + file + ": " + e);
    }
    if (content.length > MAX_BYTES) {
      throw new InvalidOptionException(
          "rewriteRulesFile", file + " is larger than " + MAX_BYTES + " bytes");
    }
    try {
      // A new decoder reports malformed input rather than replacing it.
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidOptionException(
          "rewriteRulesFile", file + " is not UTF-8 text; write raw bytes as \\xHH");
    }
  }
}
