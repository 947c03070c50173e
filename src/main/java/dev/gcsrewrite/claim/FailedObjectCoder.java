package dev.gcsrewrite.claim;

import dev.gcsrewrite.coders.RecordCoder;
import dev.gcsrewrite.deadletter.DeadLetterCoder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;

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

  /** Called by Beam's {@code @DefaultCoder} lookup. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(FailedObject.class), INSTANCE);
  }
}
