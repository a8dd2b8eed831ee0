package io.loladeft.planning;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The planning core depends on the JDK and itself only: no Spring, JPA, web or other library. */
class PlanningModuleIsPureTest {

    @Test
    void planningImportsOnlyJavaAndItself() {
        JavaClasses core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.loladeft.planning");
        classes()
                .that()
                .resideInAPackage("io.loladeft.planning..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "io.loladeft.planning..")
                .check(core);
    }
}
