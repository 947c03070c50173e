package dev.gcsrewrite.claim;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a settle or a release did to one generation's record.
 *
 * @param changed true if this call changed it (settled, released), false if there was nothing to do
 *     (settled already, not held)
 * @param error why Redis could not do it for this generation (its own record is unusable), or null
 */
public record StoreWrite(boolean changed, @Nullable String error) {
  static final StoreWrite CHANGED = new StoreWrite(true, null);
  static final StoreWrite UNCHANGED = new StoreWrite(false, null);

  static StoreWrite failed(String error) {
    return new StoreWrite(false, error);
  }

  public boolean failed() {
    return error != null;
  }
}
