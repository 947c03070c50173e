package dev.gcsrewrite.coders;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Codes a Java record as its components in declaration order, each with its own coder: the one
 * implementation behind the pipeline's record coders (notifications, claims, outcomes, dead
 * letters, failed objects), which differ only in their components. Deterministic, and consistent
 * with equals, when every component coder is; the bytes are those of the component coders one after
 * another, so a coder written by hand with the same components in the same order encodes the same
 * bytes.
 *
 * <p>Name a subclass in the record's {@code @DefaultCoder} and give it a static {@code of()}: Beam
 * then infers it for every collection of that record (see {@link #getCoderProvider}), and no step
 * has to set a coder.
 *
 * @param <T> the record type
 */
public abstract class RecordCoder<T extends Record> extends CustomCoder<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final List<Coder<?>> components;
  private transient MethodHandle[] accessors;
  private transient MethodHandle constructor;

  /**
   * A coder of {@code type} whose components, in declaration order, are coded by {@code
   * components}.
   *
   * @throws IllegalArgumentException when there is not one coder per component
   */
  protected RecordCoder(Class<T> type, Coder<?>... components) {
    this.type = type;
    this.components = List.of(components);
    int declared = type.getRecordComponents().length;
    if (declared != components.length) {
      throw new IllegalArgumentException(
          type.getSimpleName() + " has " + declared + " components, not " + components.length);
    }
    resolve();
  }

  /**
   * What Beam's {@code @DefaultCoder} lookup calls on the coder class a record names. Every
   * subclass inherits it, so it makes the coder of whichever record asks, with the static {@code
   * of()} of the class that record names.
   */
  public static CoderProvider getCoderProvider() {
    return new CoderProvider() {
      @Override
      public <R> Coder<R> coderFor(TypeDescriptor<R> type, List<? extends Coder<?>> components)
          throws CannotProvideCoderException {
        Class<?> record = type.getRawType();
        DefaultCoder named = record.getAnnotation(DefaultCoder.class);
        if (named == null) {
          throw new CannotProvideCoderException(record + " names no coder in @DefaultCoder");
        }
        return CoderProviders.fromStaticMethods(record, named.value()).coderFor(type, components);
      }
    };
  }

  @Override
  public final void encode(T value, OutputStream out) throws IOException {
    for (int i = 0; i < accessors.length; i++) {
      encodeComponent(components.get(i), component(i, value), out);
    }
  }

  @Override
  public final T decode(InputStream in) throws IOException {
    Object[] values = new Object[components.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = components.get(i).decode(in);
    }
    try {
      return type.cast(constructor.invokeWithArguments(values));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("cannot make a " + type.getSimpleName() + " of its components", e);
    }
  }

  @Override
  public final void verifyDeterministic() throws NonDeterministicException {
    verifyDeterministic(this, type.getSimpleName() + "'s components must be", components);
  }

  @Override
  public final boolean consistentWithEquals() {
    return components.stream().allMatch(Coder::consistentWithEquals);
  }

  @SuppressWarnings("unchecked")
  private static <C> void encodeComponent(Coder<C> coder, Object value, OutputStream out)
      throws IOException {
    coder.encode((C) value, out);
  }

  private Object component(int index, T value) throws IOException {
    try {
      return accessors[index].invoke(value);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("cannot read a component of " + type.getSimpleName(), e);
    }
  }

  /** Method handles are not serializable: coders travel to workers, so they are found again. */
  private void resolve() {
    RecordComponent[] declared = type.getRecordComponents();
    Class<?>[] types =
        Arrays.stream(declared).map(RecordComponent::getType).toArray(Class<?>[]::new);
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    try {
      accessors = new MethodHandle[declared.length];
      for (int i = 0; i < declared.length; i++) {
        accessors[i] = lookup.unreflect(declared[i].getAccessor());
      }
      constructor = lookup.findConstructor(type, MethodType.methodType(void.class, types));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type + " must be a public record", e);
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    resolve();
  }
}
