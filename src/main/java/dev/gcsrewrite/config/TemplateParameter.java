package dev.gcsrewrite.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What the flex template's metadata says of an option beyond its {@code @Description}: the label
 * and example the Dataflow console shows, and the regexes it checks a value against before a
 * launch.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TemplateParameter {
  /** Short name shown by the Dataflow console. */
  String label();

  /** A value that works on Dataflow; every regex must accept it. */
  String example();

  /** Patterns a value must match, checked by the console before a launch. */
  String[] regexes();
}
