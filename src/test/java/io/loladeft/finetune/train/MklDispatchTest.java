package io.loladeft.finetune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MklDispatchTest {

    /**
     * Where the build's mkl-any-cpu profile is active (Linux x86_64 with /usr/bin/cc), surefire preloads
     * the shim into this JVM; if the wiring breaks, the tests here (and every worker) would silently train
     * on MKL's slow path on AMD.
     */
    @Test
    void theBuildPreloadsTheShimIntoTheTestJvm() {
        boolean profileActive = System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64")
                && Files.exists(Path.of("/usr/bin/cc"));
        assumeTrue(profileActive, "the mkl-any-cpu profile needs Linux x86_64 and /usr/bin/cc; no shim expected here");
        assertThat(MklDispatch.ofThisProcess().shimMapped())
                .as("LD_PRELOAD=%s in the test JVM (pom.xml, profile mkl-any-cpu)", System.getenv("LD_PRELOAD"))
                .isTrue();
    }

    @Test
    void readsTheMappingAndTheVendor(@TempDir Path dir) throws IOException {
        Path maps = Files.writeString(dir.resolve("maps"), """
                7f1c2a000000-7f1c2a001000 r-xp 00001000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6
                7f1c2b000000-7f1c2b001000 r-xp 00001000 08:01 5678 /work/app/target/native/libmkl-any-cpu.so
                """);
        Path noShim = Files.writeString(
                dir.resolve("maps-without"),
                "7f1c2a000000-7f1c2a001000 r-xp 00001000 08:01 1234 /opt/libmkl-any-cpu.so.bak\n");
        Path amd = Files.writeString(
                dir.resolve("cpuinfo"), "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\n");
        Path deleted = Files.writeString(
                dir.resolve("maps-deleted"),
                "7f1c2b000000-7f1c2b001000 r-xp 00001000 08:01 5678 /w/target/native/libmkl-any-cpu.so (deleted)\n");
        Path intel = Files.writeString(dir.resolve("cpuinfo-intel"), "processor\t: 0\nvendor_id\t: GenuineIntel\n");

        assertThat(MklDispatch.read(maps, amd)).isEqualTo(new MklDispatch(true, "AuthenticAMD"));
        assertThat(MklDispatch.read(maps, amd).amd()).isTrue();
        assertThat(MklDispatch.read(deleted, amd).shimMapped()).isTrue();
        assertThat(MklDispatch.read(noShim, intel)).isEqualTo(new MklDispatch(false, "GenuineIntel"));
        assertThat(MklDispatch.read(noShim, intel).amd()).isFalse();
        assertThat(MklDispatch.read(dir.resolve("absent"), dir.resolve("absent")))
                .isEqualTo(new MklDispatch(false, "unknown"));
    }
}
