package dev.gcsrewrite.redis;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Secrets read from files, as the local stack and tests keep them. */
public class SecretsTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void oneTrailingLineBreakIsDroppedAndNothingElse() throws Exception {
    assertEquals("pw", read("unix", "pw\n"));
    assertEquals("pw", read("windows", "pw\r\n"));
    assertEquals("pw\n", read("two", "pw\n\n"));
    assertEquals("pw\n", read("mixed", "pw\n\r\n"));
    assertEquals(" pw ", read("spaces", " pw "));
  }

  private String read(String name, String content) throws Exception {
    Path file = folder.newFile(name).toPath();
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return Secrets.read("file:" + file);
  }
}
