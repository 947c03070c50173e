package dev.gcsrewrite.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What the flex template's metadata says about an option beyond its {@code @Description}: the label
 * the Dataflow console shows, an example value, and the regexes the console checks values against.
 * With it the options interface is the one source of every option's documentation: {@code
 * templates/metadata.json} and {@code docs/options.md} are generated from it and a test fails when
 * either is out of date.
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
