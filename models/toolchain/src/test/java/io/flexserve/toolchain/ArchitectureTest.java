package io.flexserve.toolchain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture of the README, as rules over the compiled classes of every module on this
 * classpath (router, models, convert, server and this one): packages form no cycle, so each
 * module's packages can be laid out with every import pointing down (scripts/import-graph.sh prints
 * that picture), and the one-way flow request → server → router → scheduler → models holds.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.flexserve");
  }

  @Test
  void packagesFormNoCycle() {
    slices()
        .matching("io.flexserve.(**)")
        .should()
        .beFreeOfCycles()
        .because("an import cycle makes two packages one room with two doors")
        .check(classes);
  }

  @Test
  void theRouterIsPureLogic() {
    noClasses()
        .that()
        .resideInAPackage("io.flexserve.router..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.flexserve.models..",
            "io.flexserve.server..",
            "ai.onnxruntime..",
            "io.micronaut..",
            "io.netty..")
        .because("the router decides from numbers and is tested without a server or a model")
        .check(classes);
  }

  @Test
  void modelsNeverSeeHttp() {
    noClasses()
        .that()
        .resideInAnyPackage("io.flexserve.models..", "io.flexserve.convert..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.flexserve.server..", "io.flexserve.router..", "io.micronaut..", "io.netty..")
        .check(classes);
  }

  @Test
  void theServingRuntimeLinksNoToolchain() {
    noClasses()
        .that()
        .resideInAnyPackage("io.flexserve.server..", "io.flexserve.models..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.flexserve.convert..", "io.flexserve.toolchain..")
        .because("the server jar carries the runtime only")
        .check(classes);
  }

  @Test
  void theCatalogKnowsNoModelKind() {
    noClasses()
        .that()
        .resideInAPackage("io.flexserve.server.catalog..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.flexserve.server.encoder..",
            "io.flexserve.server.generation..",
            "io.flexserve.server.vision..",
            "io.flexserve.models.encoder..",
            "io.flexserve.models.llm..",
            "io.flexserve.models.vision..")
        .because("a model kind is added with its own package and a loader bean, not in the catalog")
        .check(classes);
  }
}
