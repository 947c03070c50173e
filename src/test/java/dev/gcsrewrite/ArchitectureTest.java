package dev.gcsrewrite;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The package structure, read from the compiled classes: a package per stage, no cycles between
 * packages, the pipeline class reached only from the command line, and the shipped code never
 * depending on the local development stack; in the local stack (compiled with the tests), no cycles
 * either, and its layers never reaching back to the stack itself.
 */
public class ArchitectureTest {
  private static final String ROOT = "dev.gcsrewrite";
  private static final String LOCAL = ROOT + ".local";
  private static JavaClasses production;
  private static JavaClasses localStack;

  @BeforeClass
  public static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
    // The local stack's classes sit among the test classes; its own tests are left out.
    localStack =
        new ClassFileImporter()
            .withImportOption(
                location -> !location.matches(Pattern.compile(".*(Test|IT)(\\$.*)?\\.class")))
            .importPackages(LOCAL);
  }

  @Test
  public void packagesHaveNoCycles() {
    slices().assignedFrom(new PackagesBelow(ROOT)).should().beFreeOfCycles().check(production);
  }

  @Test
  public void localStackPackagesHaveNoCycles() {
    slices().assignedFrom(new PackagesBelow(LOCAL)).should().beFreeOfCycles().check(localStack);
  }

  @Test
  public void localStackLayersNeverUseTheStack() {
    noClasses()
        .that()
        .resideInAPackage(LOCAL + "..")
        .and()
        .resideOutsideOfPackage(LOCAL)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(LOCAL)
        .check(localStack);
  }

  @Test
  public void onlyTheCommandLineAndLocalStackUseThePipelineClass() {
    noClasses()
        .that()
        .resideOutsideOfPackages(ROOT, ROOT + ".cli..", ROOT + ".local..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT)
        .check(production);
  }

  @Test
  public void shippedCodeNeverUsesTheLocalStack() {
    noClasses()
        .that()
        .resideOutsideOfPackage(ROOT + ".local..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT + ".local..")
        .check(production);
  }

  /**
   * One slice per package directly below {@code root} (with its sub-packages) and one for {@code
   * root} itself, which {@code SlicesRuleDefinition.matching("root.(*)..")} would leave out.
   */
  private static final class PackagesBelow implements SliceAssignment {
    private final String root;

    PackagesBelow(String root) {
      this.root = root;
    }

    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String name = javaClass.getPackageName();
      if (name.equals(root)) {
        return SliceIdentifier.of("(root)");
      }
      if (!name.startsWith(root + ".")) {
        return SliceIdentifier.ignore();
      }
      String rest = name.substring(root.length() + 1);
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "packages below " + root;
    }
  }
}
