package dev.gcsrewrite.output;

import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * Names an output {@code <objectId><outputSuffix>}, whatever the window, pane or shard: each
 * destination is one object written as one shard, so the usual shard and pane parts of a FileIO
 * name would only get in the way of a predictable output path.
 */
final class OutputNaming implements FileIO.Write.FileNaming {
  private static final long serialVersionUID = 1L;
  private final String name;

  OutputNaming(String name) {
    this.name = name;
  }

  @Override
  public String getFilename(
      BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
    return name;
  }
}
