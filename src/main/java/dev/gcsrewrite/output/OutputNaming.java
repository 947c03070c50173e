package dev.gcsrewrite.output;

import org.apache.beam.sdk.io.FileBasedSink.FilenamePolicy;
import org.apache.beam.sdk.io.FileBasedSink.OutputFileHints;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * Names an output {@code <outputDirectory><objectId><outputSuffix>}, whatever the window, pane or
 * shard: each destination is one object written as one file, so the usual shard and pane parts of a
 * FileIO name would only get in the way of a predictable output path.
 *
 * <p>The name is resolved as a file inside the directory, never parsed as a path spec, so that an
 * object named with glob characters ({@code *}, {@code ?}, {@code [}) is written under exactly that
 * name on every file system.
 */
final class OutputNaming extends FilenamePolicy {
  private static final long serialVersionUID = 1L;
  private final String directory;
  private final String name;

  /** The output {@code name} (object ID and suffix) in {@code directory}. */
  OutputNaming(String directory, String name) {
    this.directory = directory;
    this.name = name;
  }

  /** The output's resource: the name resolved in the directory. */
  ResourceId output() {
    return FileSystems.matchNewResource(directory, true)
        .resolve(name, StandardResolveOptions.RESOLVE_FILE);
  }

  @Override
  public ResourceId windowedFilename(
      int shardNumber,
      int numShards,
      BoundedWindow window,
      PaneInfo paneInfo,
      OutputFileHints outputFileHints) {
    return output();
  }

  @Override
  public ResourceId unwindowedFilename(
      int shardNumber, int numShards, OutputFileHints outputFileHints) {
    return output();
  }
}
