package io.delegatebroker.broker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Packages of the node's main code point one way: no two packages depend on each other, directly or through others,
 * and the live sessions and the cluster layer know neither the domain services nor the wiring that uses them. Reads
 * the compiled main classes only.
 */
class PackageCyclesTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.delegatebroker.broker");

  @Test
  void noCycleBetweenPackages() {
    slices().matching("io.delegatebroker.broker.(**)").should().beFreeOfCycles().check(MAIN);
  }

  /** Top-level rooms too: {@code domain.store} and {@code store.pg} count as {@code domain} and {@code store}. */
  @Test
  void noCycleBetweenTopLevelPackages() {
    slices().matching("io.delegatebroker.broker.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  /** The store implements the domain's port; the domain never reaches into an implementation. */
  @Test
  void domainDoesNotKnowTheStoreImplementations() {
    noClasses().that().resideInAPackage("io.delegatebroker.broker.domain..")
        .should().dependOnClassesThat().resideInAPackage("io.delegatebroker.broker.store..")
        .check(MAIN);
  }

  /**
   * The admin API library too. (It cannot reach the broker's store or wiring at all: Maven gives it no dependency on
   * {@code broker}.)
   */
  @Test
  void noCycleBetweenAdminApiPackages() {
    JavaClasses api = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.delegatebroker.api");
    slices().matching("io.delegatebroker.api.(**)").should().beFreeOfCycles().check(api);
  }

  @Test
  void sessionsAndClusterDoNotKnowDomainOrWiring() {
    noClasses().that().resideInAnyPackage("io.delegatebroker.broker.session..", "io.delegatebroker.broker.cluster..")
        .should().dependOnClassesThat().resideInAnyPackage("io.delegatebroker.broker.domain..",
            "io.delegatebroker.broker.app..")
        .check(MAIN);
  }
}
