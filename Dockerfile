# syntax=docker/dockerfile:1
# mxwatch in a container: built with Maven on a JDK 21, run on a JRE 21 as a non-root user.
#
#   docker build -t mxwatch .
#   docker run -d --name mxwatch -p 127.0.0.1:9725:9725 \
#     -v mxwatch-data:/var/lib/mxwatch -v "$PWD/config/mxwatch.yaml:/etc/mxwatch/mxwatch.yaml:ro" mxwatch
#   docker kill -s HUP mxwatch          # reload the configuration
#
# Pin the base images by digest in production builds (FROM image@sha256:...).

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
# dependencies first: they change less often than the sources, so this layer stays cached
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
# the tests run in CI (.ci/run), where the loopback DNS and SMTP test servers have what they need
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 mxwatch \
 && useradd --system --uid 10001 --gid mxwatch --home-dir /var/lib/mxwatch --no-create-home --shell /usr/sbin/nologin mxwatch \
 && mkdir -p /etc/mxwatch /var/lib/mxwatch /opt/mxwatch \
 && chown mxwatch:mxwatch /var/lib/mxwatch \
 && chmod 700 /var/lib/mxwatch
COPY --from=build /src/target/mxwatch.jar /opt/mxwatch/mxwatch.jar
COPY config/mxwatch.yaml /etc/mxwatch/mxwatch.yaml

# the store lives in the volume; the listener must leave the container's loopback to be scraped;
# logs as JSON lines for the container's log pipeline (MXWATCH_LOG_FORMAT=text for people)
ENV MXWATCH_DATA_DIR=/var/lib/mxwatch \
    MXWATCH_HTTP_LISTEN=0.0.0.0:9725 \
    MXWATCH_LOG_FORMAT=json \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -Xss512k -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=/var/lib/mxwatch/mxwatch.jsa -Xlog:disable -Xlog:all=warning,cds*=off:stderr"

USER mxwatch:mxwatch
WORKDIR /var/lib/mxwatch
VOLUME ["/var/lib/mxwatch"]
EXPOSE 9725
# bash's /dev/tcp: no curl or wget needed in the image
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9725 && printf 'GET /-/healthy HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '^HTTP/1.[01] 200' <&3"]

# exec: java replaces the shell as PID 1, so SIGTERM and SIGHUP (docker kill -s HUP) reach mxwatch
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/mxwatch/mxwatch.jar \"$@\"", "mxwatch"]
CMD ["run", "--config", "/etc/mxwatch/mxwatch.yaml"]
