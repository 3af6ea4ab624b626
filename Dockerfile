# The daprx image: one image for every control-plane component (the first argument names it, e.g.
# `daprx sentry --mode kubernetes ...`, as the rendered manifests start it) and for the CLI.
#
# Build the jar first, then the image:
#   ./mvnw -q -B -DskipTests package
#   docker build -t ghcr.io/daprx/daprx:$(version) .
#
# Not built or run here: this workspace has no container engine, so this file is written but untested.
# It packages what exists instead of compiling in a build stage, because the Maven build needs the local
# repository and the network settings of the build machine.
FROM eclipse-temurin:17-jre

# distroless' "nonroot" id, which the manifests' securityContext (runAsUser/fsGroup 65532) expects
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --home-dir /home/nonroot --create-home --shell /usr/sbin/nologin nonroot

COPY --chmod=0444 cli/target/daprx.jar /opt/daprx/daprx.jar
# each process's JVM options (the jar's own table, which bin/daprx reads from here: the image has no unzip)
COPY --chmod=0444 cli/target/jvm-options/ /opt/daprx/jvm-options/
# The same launcher as on a workstation: it picks each component's measured JVM flags (heap caps, SerialGC).
COPY --chmod=0555 bin/daprx /usr/local/bin/daprx

# The root file system is read-only in the pods: no class-data-sharing archive is written, and anything
# the JVM or Netty writes goes to /tmp, an emptyDir in the manifests.
ENV DAPRX_JAR=/opt/daprx/daprx.jar \
    DAPRX_NO_CDS=1 \
    DAPRX_HOME=/tmp/daprx

USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/daprx"]
CMD ["--help"]
