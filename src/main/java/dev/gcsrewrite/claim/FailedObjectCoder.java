package dev.gcsrewrite.claim;

import dev.gcsrewrite.coders.RecordCoder;
import dev.gcsrewrite.deadletter.DeadLetterCoder;

/** Deterministic coder for {@link FailedObject}: the claim, then the dead letter. */
public final class FailedObjectCoder extends RecordCoder<FailedObject> {
  private static final long serialVersionUID = 1L;
  private static final FailedObjectCoder INSTANCE = new FailedObjectCoder();

  private FailedObjectCoder() {
    super(FailedObject.class, ClaimCoder.of(), DeadLetterCoder.of());
  }

  public static FailedObjectCoder of() {
    return INSTANCE;
  }
}
