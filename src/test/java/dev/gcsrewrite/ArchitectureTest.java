package dev.gcsrewrite;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The package structure, read from the compiled classes: a package per stage, no cycles between
 * packages, the pipeline class reached only from the command line, and the shipped code never
 * depending on the local development stack.
 */
public class ArchitectureTest {
  private static final String ROOT = "dev.gcsrewrite";
  private static JavaClasses production;

  @BeforeClass
  public static void importProductionClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  public void packagesHaveNoCycles() {
    slices().assignedFrom(new TopLevelPackages()).should().beFreeOfCycles().check(production);
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
   * One slice per package below {@code dev.gcsrewrite} and one for the root package itself, which
   * {@code SlicesRuleDefinition.matching("dev.gcsrewrite.(*)..")} would leave out.
   */
  private static final class TopLevelPackages implements SliceAssignment {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String name = javaClass.getPackageName();
      if (name.equals(ROOT)) {
        return SliceIdentifier.of("(root)");
      }
      if (!name.startsWith(ROOT + ".")) {
        return SliceIdentifier.ignore();
      }
      String rest = name.substring(ROOT.length() + 1);
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "top-level packages of " + ROOT;
    }
  }
}
