# syntax=docker/dockerfile:1
# LoLa DEFT: API and worker in one image; the role comes from configuration.

# ---- build: the Maven wrapper, tests skipped (CI runs them), then the jar split into layers ----
FROM docker.io/library/eclipse-temurin:25-jdk AS build
# A C compiler, so the build's mkl-any-cpu profile (pom.xml) builds the MKL shim that the run stage preloads.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src/ src/
COPY migrations/ migrations/
# The test sources still compile, and they include the client generated from the committed spec.
COPY openapi/ openapi/
# cp fails the build if the profile did not build the shim (the image is x86_64 only, libtorch's is).
RUN ./mvnw -B -q -DskipTests package \
 && java -Djarmode=tools -jar target/lola-deft-*.jar extract --layers --launcher --destination /layers \
 && mkdir /native && cp target/native/libmkl-any-cpu.so /native/

# ---- run: JRE 25, non-root, layered so a code change rebuilds only the last layer ----
FROM docker.io/library/eclipse-temurin:25-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 loladeft \
 && useradd --system --uid 10001 --gid loladeft --home-dir /app loladeft \
 && mkdir -p /app /var/cache/djl /data \
 && chown loladeft:loladeft /var/cache/djl /data
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
COPY --from=build /native/libmkl-any-cpu.so /app/native/
USER 10001:10001
# DJL unpacks libtorch into a writable cache and never downloads at run time.
ENV DJL_CACHE_DIR=/var/cache/djl \
    ENGINE_CACHE_DIR=/var/cache/djl \
    JAVA_TOOL_OPTIONS="-Dai.djl.offline=true -XX:MaxRAMPercentage=75" \
    LOLADEFT_EMBEDDED_DB_ENABLED=false \
    LOLADEFT_FILES_ROOTS=/data \
    LOLADEFT_AUTH_ENABLED=true \
    OMP_WAIT_POLICY=PASSIVE \
    LD_PRELOAD=/app/native/libmkl-any-cpu.so
# Idle OpenMP threads sleep rather than spin (a worker with loladeft.jobs.worker.torch-threads > 1
# otherwise fights its own threads, docs/finetune.md §11.5); MKL inside libtorch takes its fast kernels
# on AMD CPUs too (src/main/native/mkl_any_cpu.c, §11.5 "Found and fixed"). glibc keeps its own malloc
# settings: MALLOC_MMAP_THRESHOLD_=65536, set here before, held a worker's memory to the planner's Mem
# (§11.6) but made every step map and fault its tensors again, a MiniLM step 6x slower (§11.5); set it
# in the pod's environment where memory matters more than speed.
# 8080: API and probes; 8081: management (Prometheus), keep it off public Services
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://localhost:8080/livez || exit 1
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
